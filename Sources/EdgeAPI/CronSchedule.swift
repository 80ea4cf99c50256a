

/// A standard 5-field cron schedule (minute hour day-of-month month
/// day-of-week) or a macro (@hourly, @daily, ...), evaluated in UTC.
public struct CronSchedule: Sendable, Equatable {
    let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    /// Cron's rule: when both day fields are restricted, either may match.
    let dayOrWeekday: Bool

    public struct ParseError: Error, Sendable, CustomStringConvertible { public var description: String }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(_ text: String) throws(ParseError) {
        var spec = text.trimmingSpaces
        if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
            guard let sp = spec.firstIndex(of: " ") else { throw ParseError(description: "missing schedule after time zone") }
            spec = String(spec[spec.index(after: sp)...])
        }
        switch spec {
        case "@yearly", "@annually": spec = "0 0 1 1 *"
        case "@monthly": spec = "0 0 1 * *"
        case "@weekly": spec = "0 0 * * 0"
        case "@daily", "@midnight": spec = "0 0 * * *"
        case "@hourly": spec = "0 * * * *"
        default: break
        }
        let f = spec.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard f.count == 5 else { throw ParseError(description: "expected exactly 5 fields, found \(f.count): \(text)") }
        minutes = try Self.field(f[0], 0, 59, names: [])
        hours = try Self.field(f[1], 0, 23, names: [])
        days = try Self.field(f[2], 1, 31, names: [])
        months = try Self.field(f[3], 1, 12, names: Self.monthNames, nameBase: 1)
        var wd = try Self.field(f[4], 0, 7, names: Self.dayNames)
        if wd.contains(7) { wd.remove(7); wd.insert(0) }
        weekdays = wd
        dayOrWeekday = !(f[2] == "*" || f[2] == "?") && !(f[4] == "*" || f[4] == "?")
    }

    static func field(_ s: String, _ lo: Int, _ hi: Int, names: [String], nameBase: Int = 0) throws(ParseError) -> Set<Int> {
        var out = Set<Int>()
        for part in s.split(separator: ",") {
            var range = String(part)
            var step = 1
            if let slash = range.firstIndex(of: "/") {
                guard let st = Int(range[range.index(after: slash)...]), st > 0 else { throw ParseError(description: "bad step in \(s)") }
                // A step past the field's range picks one value; clamped, stepping cannot overflow.
                step = min(st, hi - lo + 1)
                range = String(range[..<slash])
            }
            var a = lo, b = hi
            if range != "*" && range != "?" {
                let ends = range.split(separator: "-").map(String.init)
                guard ends.count == 1 || ends.count == 2 else { throw ParseError(description: "bad range \(range)") }
                a = try value(ends[0], names, nameBase)
                b = ends.count == 2 ? try value(ends[1], names, nameBase) : (step > 1 ? hi : a)
            }
            guard a >= lo, b <= hi, a <= b else { throw ParseError(description: "\(range) is out of range \(lo)-\(hi)") }
            for v in stride(from: a, through: b, by: step) { out.insert(v) }
        }
        return out
    }

    static func value(_ s: String, _ names: [String], _ base: Int) throws(ParseError) -> Int {
        if let v = Int(s) { return v }
        if let i = names.firstIndex(of: s.uppercased()) { return i + base }
        throw ParseError(description: "invalid value \(s)")
    }

    func dayMatches(_ day: Int, _ weekday: Int) -> Bool {
        let d = days.contains(day), w = weekdays.contains(weekday)
        return dayOrWeekday ? (d || w) : (d && w)
    }

    /// The first scheduled time strictly after `t` (whole minutes), or nil within 5 years.
    public func next(after t: Timestamp) -> Timestamp? {
        var minute = (t.seconds / 60 + 1) * 60
        let limit = t.seconds + 5 * 366 * 86400
        while minute < limit {
            let (y, mo, d, h, mi, _) = Timestamp(seconds: minute).civil
            if !months.contains(mo) {
                // Jump to the first day of next month.
                let (ny, nm) = mo == 12 ? (y + 1, 1) : (y, mo + 1)
                minute = Int64(Timestamp.daysFromCivil(ny, nm, 1)) * 86400
                continue
            }
            let weekday = Int((Int64(Timestamp.daysFromCivil(y, mo, d)) % 7 + 11) % 7) // 1970-01-01 was a Thursday (4)
            if !dayMatches(d, weekday) {
                minute = (Int64(Timestamp.daysFromCivil(y, mo, d)) + 1) * 86400
                continue
            }
            if !hours.contains(h) { minute = (minute / 3600 + 1) * 3600; continue }
            if !minutes.contains(mi) { minute += 60; continue }
            return Timestamp(seconds: minute)
        }
        return nil
    }
}
