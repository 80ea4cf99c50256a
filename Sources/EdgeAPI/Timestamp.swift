#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock instants as Kubernetes writes them (`2026-11-24T03:15:00Z`,
/// RFC 3339 in UTC, seconds precision; MicroTime adds microseconds).
public struct Timestamp: Sendable, Comparable, Hashable {
    /// Seconds since the Unix epoch.
    public var seconds: Int64
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec), nanoseconds: Int32(ts.tv_nsec))
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// Saturates instead of trapping: offsets come from objects and requests
    /// (grace periods, TTLs) and may be anything an int64 holds.
    public func adding(seconds s: Int64) -> Timestamp {
        let (sum, overflow) = seconds.addingReportingOverflow(s)
        return Timestamp(seconds: overflow ? (s > 0 ? .max : .min) : sum, nanoseconds: nanoseconds)
    }

    /// The instants RFC 3339 can write with a four-digit year (Go's time.Time
    /// marshals only these): 0001-01-01T00:00:00Z through 9999-12-31T23:59:59Z.
    public static let earliestWritable: Int64 = -62_135_596_800
    public static let latestWritable: Int64 = 253_402_300_799

    /// `metav1.Time` form.
    /// Written digit by digit into the string's own storage: every create and update
    /// writes one or two of these, and the interpolated form allocated a dozen strings.
    /// `civil` is clamped to years 1-9999, so the text is always 20 ASCII bytes.
    public var rfc3339: String {
        let (y, mo, d, h, mi, s) = civil
        return String(unsafeUninitializedCapacity: 20) { out in
            func put(_ v: Int, _ width: Int, at start: Int) {
                var v = v
                for i in stride(from: start + width - 1, through: start, by: -1) {
                    out[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                    v /= 10
                }
            }
            put(y, 4, at: 0); out[4] = 45
            put(mo, 2, at: 5); out[7] = 45
            put(d, 2, at: 8); out[10] = 84
            put(h, 2, at: 11); out[13] = 58
            put(mi, 2, at: 14); out[16] = 58
            put(s, 2, at: 17); out[19] = 90
            return 20
        }
    }

    /// `metav1.MicroTime` form (leases, events).
    public var rfc3339Micro: String {
        var t = rfc3339
        t.removeLast()
        return t + "." + pad(Int(min(max(nanoseconds, 0), 999_999_999) / 1000), 6) + "Z"
    }

    /// Parses `2026-11-24T03:15:00Z`, with optional fraction and numeric offset.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard b[i] >= 48, b[i] <= 57 else { return nil }; v = v * 10 + Int(b[i] - 48) }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13),
              let mi = num(14..<16), let s = num(17..<19), (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var i = 19
        var nanos = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 48); digits += 1 }
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, i + 6 <= b.count, b[i + 3] == 58, let oh = num(i + 1..<i + 3), let om = num(i + 4..<i + 6) {
            offset = (oh * 3600 + om * 60) * (b[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Timestamp.daysFromCivil(y, mo, d)
        self.seconds = Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)
        self.nanoseconds = Int32(nanos)
    }

    /// Calendar fields in UTC. Instants past the years 1...9999 read as the nearest
    /// end of that range, so any Int64 is safe here, also where Int is 32 bits.
    public var civil: (Int, Int, Int, Int, Int, Int) {
        let clamped = min(max(seconds, Self.earliestWritable), Self.latestWritable)
        let days64 = clamped >= 0 ? clamped / 86400 : (clamped - 86399) / 86400
        let days = Int(days64)
        let rem = Int(clamped - days64 * 86400)
        let (y, m, d) = Timestamp.civilFromDays(days)
        return (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
    }

    // Howard Hinnant's days <-> civil date algorithms (proleptic Gregorian).
    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
