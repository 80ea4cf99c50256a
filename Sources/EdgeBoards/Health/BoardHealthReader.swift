/// Reads BoardHealth from a host root: /sys/class/thermal for temperatures; on Raspberry Pi the
/// firmware driver's get_throttled file, or the rpi_volt hwmon's under-voltage alarm on kernels
/// that have only that.
public struct BoardHealthReader: Sendable {
    public let root: HostRoot
    public let profile: BoardProfile?

    static let throttledPath = "/sys/devices/platform/soc/soc:firmware/get_throttled"

    public init(root: HostRoot, profile: BoardProfile?) {
        self.root = root
        self.profile = profile
    }

    public func read() -> BoardHealth {
        let zone = socZone()
        return BoardHealth(temperatureMilliCelsius: zone?.milliCelsius, thermalZone: zone?.type, throttle: throttle())
    }

    /// The profile's zone by type; without one (or when it is missing) the hottest zone, which is
    /// the one that throttles first. Readings outside -40..200 °C are a broken sensor and ignored.
    func socZone() -> (type: String, milliCelsius: Int64)? {
        var zones: [(type: String, milliCelsius: Int64)] = []
        for name in root.list("/sys/class/thermal") where name.hasPrefix("thermal_zone") {
            let dir = "/sys/class/thermal/" + name
            guard let t = root.line(dir + "/temp").flatMap({ Int64($0) }), (-40_000...200_000).contains(t) else { continue }
            zones.append((root.line(dir + "/type") ?? name, t))
        }
        if let wanted = profile?.thermalZone, let z = zones.first(where: { $0.type == wanted }) { return z }
        return zones.max { $0.milliCelsius < $1.milliCelsius }
    }

    func throttle() -> ThrottleFlags? {
        if let text = root.line(Self.throttledPath), let flags = ThrottleFlags(text: text) { return flags }
        // Kernels without the firmware attribute still expose under-voltage through the rpi_volt hwmon.
        for h in root.list("/sys/class/hwmon") where root.line("/sys/class/hwmon/\(h)/name") == "rpi_volt" {
            let alarm = root.line("/sys/class/hwmon/\(h)/in0_lcrit_alarm") == "1"
            return alarm ? [.underVoltage, .underVoltageOccurred] : []
        }
        return nil
    }
}
