/// A Node condition the board's health decides, in the shape the agent publishes (upstream's
/// reason style: one CamelCase word per state, a sentence for people). The node lifecycle
/// controller taints the Node NoSchedule while ThermalPressure or UnderVoltage is True
/// (edgectl.io/thermal-pressure, edgectl.io/under-voltage: EdgeControllers' ConditionTaints).
public struct BoardCondition: Sendable, Equatable {
    public var type: String
    public var active: Bool
    public var reason: String
    public var message: String

    public init(type: String, active: Bool, reason: String, message: String) {
        self.type = type
        self.active = active
        self.reason = reason
        self.message = message
    }

    public static let thermalPressure = "ThermalPressure"
    public static let underVoltage = "UnderVoltage"
    public static let throttled = "SoCThrottled"
    /// Below the limit by this much before ThermalPressure clears, so a SoC hovering at its
    /// limit does not flip the condition (and rewrite the Node) every few seconds.
    public static let hysteresisMilliCelsius: Int64 = 5000

    /// The conditions for `health` on `profile`'s board. `wasHot`: ThermalPressure was True before.
    public static func evaluate(_ health: BoardHealth, profile: BoardProfile?, wasHot: Bool) -> [BoardCondition] {
        var out: [BoardCondition] = []
        if let t = health.temperatureMilliCelsius, let text = health.temperatureText {
            let limit = Int64(profile?.thermalLimitCelsius ?? 85) * 1000
            let hot = t >= limit || (wasHot && t > limit - hysteresisMilliCelsius)
            let board = profile.map { " (\($0.name): the SoC throttles from about \($0.thermalLimitCelsius) °C, hard limit \($0.thermalCriticalCelsius) °C)" } ?? ""
            let zone = health.thermalZone.map { " in \($0)" } ?? ""
            out.append(hot
                ? BoardCondition(type: thermalPressure, active: true, reason: "SoCTemperatureHigh",
                                 message: "SoC temperature \(text)\(zone) is at or above the limit of \(limit / 1000) °C\(board); new pods go elsewhere until it cools")
                : BoardCondition(type: thermalPressure, active: false, reason: "SoCTemperatureNormal",
                                 message: "SoC temperature \(text)\(zone), limit \(limit / 1000) °C"))
        }
        if let flags = health.throttle {
            let since = flags.contains(.underVoltageOccurred) ? "; under-voltage has occurred since boot" : ""
            out.append(flags.contains(.underVoltage)
                ? BoardCondition(type: underVoltage, active: true, reason: "UnderVoltageDetected",
                                 message: "the firmware reports under-voltage now (get_throttled \(flags.hex)): use a power supply that holds 5.1 V under load")
                : BoardCondition(type: underVoltage, active: false, reason: "PowerSupplySufficient",
                                 message: "no under-voltage now (get_throttled \(flags.hex))\(since)"))
            let now: ThrottleFlags = [.frequencyCapped, .throttled, .softTemperatureLimit]
            out.append(!flags.isDisjoint(with: now)
                ? BoardCondition(type: throttled, active: true, reason: "SoCThrottled",
                                 message: "the firmware is slowing the SoC: \(flags.nowText) (get_throttled \(flags.hex))")
                : BoardCondition(type: throttled, active: false, reason: "SoCNotThrottled",
                                 message: "the SoC runs at full speed (get_throttled \(flags.hex))"))
        }
        return out
    }
}
