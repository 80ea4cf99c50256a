/// The Raspberry Pi firmware's get_throttled bits: the low bits say what is happening now,
/// bits 16-19 what has happened since boot. Documented with `vcgencmd get_throttled`.
public struct ThrottleFlags: OptionSet, Sendable, Equatable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let underVoltage = ThrottleFlags(rawValue: 1 << 0)
    public static let frequencyCapped = ThrottleFlags(rawValue: 1 << 1)
    public static let throttled = ThrottleFlags(rawValue: 1 << 2)
    public static let softTemperatureLimit = ThrottleFlags(rawValue: 1 << 3)
    public static let underVoltageOccurred = ThrottleFlags(rawValue: 1 << 16)
    public static let frequencyCappedOccurred = ThrottleFlags(rawValue: 1 << 17)
    public static let throttledOccurred = ThrottleFlags(rawValue: 1 << 18)
    public static let softTemperatureLimitOccurred = ThrottleFlags(rawValue: 1 << 19)

    /// The sysfs file's text: hexadecimal, with or without 0x (`50005`, `0x0`); nil if it is not that.
    public init?(text: String) {
        var t = Substring(text.trimmingSpaces.lowercased())
        if t.hasPrefix("throttled=") { t = t.dropFirst("throttled=".count) }  // vcgencmd's form
        if t.hasPrefix("0x") { t = t.dropFirst(2) }
        guard !t.isEmpty, t.count <= 8, let v = UInt32(t, radix: 16) else { return nil }
        self.init(rawValue: v)
    }

    public var hex: String { "0x" + String(rawValue, radix: 16) }

    /// What is happening now, in words.
    public var nowText: String {
        var parts: [String] = []
        if contains(.underVoltage) { parts.append("under-voltage") }
        if contains(.frequencyCapped) { parts.append("ARM frequency capped") }
        if contains(.throttled) { parts.append("throttled") }
        if contains(.softTemperatureLimit) { parts.append("soft temperature limit active") }
        return parts.joined(separator: ", ")
    }
}
