/// Binary byte sizes as board profiles and flags write them: `512Mi`, `4Gi`, `100Mi`, `64Ki`, or plain bytes.
/// Integers only, range-checked: these come from files a person edits.
public enum ByteSize {
    static let units: [(suffix: String, shift: Int64)] = [("Ki", 10), ("Mi", 20), ("Gi", 30), ("Ti", 40)]

    /// Bytes, or nil for anything that is not a whole, non-negative size below 1 PiB.
    public static func parse(_ text: String) -> Int64? {
        let s = text.trimmingSpaces
        var digits = Substring(s)
        var shift: Int64 = 0
        for u in units where s.hasSuffix(u.suffix) {
            digits = s.dropLast(u.suffix.count)
            shift = u.shift
        }
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(digits) else { return nil }
        let limit: Int64 = 1 << 50
        guard n <= limit >> shift else { return nil }
        return n << shift
    }

    /// The largest unit that divides `bytes` exactly: 104857600 → 100Mi.
    public static func format(_ bytes: Int64) -> String {
        for u in units.reversed() where bytes != 0 && bytes % (1 << u.shift) == 0 {
            return "\(bytes >> u.shift)\(u.suffix)"
        }
        return "\(bytes)"
    }

    /// A human figure with one decimal in MiB or GiB, for messages: 1.5 GiB.
    public static func human(_ bytes: Int64) -> String {
        let gib: Int64 = 1 << 30, mib: Int64 = 1 << 20
        if bytes >= gib { return tenths(bytes, gib) + " GiB" }
        if bytes >= mib { return tenths(bytes, mib) + " MiB" }
        if bytes >= 1024 { return tenths(bytes, 1024) + " KiB" }
        return "\(bytes) B"
    }

    static func tenths(_ v: Int64, _ unit: Int64) -> String {
        let t = v / (unit / 10)
        return "\(t / 10).\(t % 10)"
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
