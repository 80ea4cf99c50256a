/// The board's own health as read from sysfs: SoC temperature and, on Raspberry Pi, the
/// firmware's power and throttling flags. Nil fields: the board does not report that.
public struct BoardHealth: Sendable, Equatable {
    /// Millidegrees Celsius, as /sys/class/thermal reports it.
    public var temperatureMilliCelsius: Int64?
    /// The thermal zone's type the temperature came from (cpu-thermal, soc-thermal ...).
    public var thermalZone: String?
    public var throttle: ThrottleFlags?

    public init(temperatureMilliCelsius: Int64? = nil, thermalZone: String? = nil, throttle: ThrottleFlags? = nil) {
        self.temperatureMilliCelsius = temperatureMilliCelsius
        self.thermalZone = thermalZone
        self.throttle = throttle
    }

    /// `63.4 °C`.
    public var temperatureText: String? {
        temperatureMilliCelsius.map { m in
            let tenths = m / 100
            return "\(tenths / 10).\(abs(tenths % 10)) °C"
        }
    }
}
