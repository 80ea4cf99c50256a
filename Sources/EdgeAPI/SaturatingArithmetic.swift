/// Arithmetic on numbers that come from objects, requests or nodes (TTLs, grace
/// periods, deadlines, counts): any int64 may arrive, so sums and differences
/// clamp to Int64's range instead of trapping the whole process.
extension Int64 {
    public func saturatingAdding(_ other: Int64) -> Int64 {
        let (r, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : r
    }

    public func saturatingSubtracting(_ other: Int64) -> Int64 {
        let (r, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : r
    }

    public func saturatingMultiplied(by other: Int64) -> Int64 {
        let (r, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) != (other < 0) ? .min : .max) : r
    }
}

extension Duration {
    /// The longest wait anything here sleeps in one go (a day): longer waits are
    /// taken again after it. Task.sleep traps when now plus the wait passes Int64
    /// seconds, and a level-triggered loop loses nothing by looking again.
    public static let longestSleep: Duration = .seconds(86_400)

    /// `s` seconds, clamped to 0...longestSleep: safe to sleep for whatever number an object held.
    public static func seconds(clamping s: Int64) -> Duration {
        .seconds(Swift.min(Swift.max(s, 0), 86_400))
    }
}

extension Int {
    /// A Double as an Int within int32's range (counts, percentages, replicas):
    /// rounded toward zero, clamped, NaN as 0, so no value traps on any platform.
    public init(clampingToInt32 d: Double) {
        if d.isNaN { self = 0; return }
        self = Int(Swift.min(Swift.max(d, Double(Int32.min)), Double(Int32.max)))
    }
}
