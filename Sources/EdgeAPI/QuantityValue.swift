/// Quantity strings to thousandths of a unit (for comparing requests and limits).
public enum QuantityValue {
    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776), ("Pi", 1_125_899_906_842_624),
        ("Ei", 1_152_921_504_606_846_976), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9),
        ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    public static func milli(_ v: JSON) -> Double? {
        switch v {
        case .int(let i): return Double(i) * 1000
        case .double(let d): return d * 1000
        case .string(let s): return parse(s).map { $0 * 1000 }
        default: return nil
        }
    }

    /// Thousandths as an integer, rounded up (scheduling and autoscaling arithmetic); saturates at Int64's ends.
    public static func milliInt(_ v: JSON) -> Int64? {
        guard let m = milli(v) else { return nil }
        return saturatingInt64(m.rounded(.up))
    }

    /// A Double as an Int64 without trapping: clamped to Int64's range, nil for NaN.
    /// Quantities come from objects ("1e400", "-9e30") and may be anything a Double holds.
    public static func saturatingInt64(_ d: Double) -> Int64? {
        if d.isNaN { return nil }
        if d >= 9_223_372_036_854_775_807.0 { return .max }
        if d <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(d)
    }

    public static func parse(_ s: String) -> Double? {
        guard !s.isEmpty else { return nil }
        var number = Substring(s)
        var factor = 1.0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }), s.index(after: e) < s.endIndex,
           let exp = Int(s[s.index(after: e)...]) {
            number = s[..<e]
            // A Double is 0 or infinite well before 10^±400: no loop as long as the exponent a client wrote.
            let steps = min(abs(exp), 400)
            factor = exp >= 0 ? (0..<steps).reduce(1.0) { r, _ in r * 10 } : (0..<steps).reduce(1.0) { r, _ in r / 10 }
        } else {
            for (suffix, f) in suffixes where s.hasSuffix(suffix) {
                number = s.dropLast(suffix.count)
                factor = f
                break
            }
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." || $0 == "+" || $0 == "-" }), let v = Double(number) else { return nil }
        return v * factor
    }
}
