import XCTest
@testable import EdgeBoards

/// Board health from a fake /sys: thermal zones, the Raspberry Pi firmware's get_throttled, the rpi_volt hwmon.
final class BoardHealthTests: XCTestCase {
    func rpi4() throws -> BoardProfile { try XCTUnwrap(BoardCatalog.builtIn().profile(named: "rpi4")) }

    func zone(_ t: FakeTree, _ n: Int, type: String, milli: Int64) {
        t.write("sys/class/thermal/thermal_zone\(n)/type", type + "\n")
        t.write("sys/class/thermal/thermal_zone\(n)/temp", "\(milli)\n")
    }

    func testReadsTheProfilesZoneAndTheFirmwareFlags() throws {
        let t = FakeTree()
        zone(t, 0, type: "cpu-thermal", milli: 63_437)
        zone(t, 1, type: "gpu-thermal", milli: 70_000)
        t.write("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n")
        let h = BoardHealthReader(root: t.root, profile: try rpi4()).read()
        XCTAssertEqual(h.temperatureMilliCelsius, 63_437)
        XCTAssertEqual(h.thermalZone, "cpu-thermal")
        XCTAssertEqual(h.temperatureText, "63.4 °C")
        XCTAssertEqual(h.throttle, [.underVoltage, .throttled, .underVoltageOccurred, .throttledOccurred])
        // Without a profile zone, the hottest one: it throttles first.
        XCTAssertEqual(BoardHealthReader(root: t.root, profile: nil).read().thermalZone, "gpu-thermal")
    }

    func testBrokenSensorsAndMissingFilesReadAsUnknown() {
        let t = FakeTree()
        zone(t, 0, type: "cpu-thermal", milli: 999_999)
        t.write("sys/devices/platform/soc/soc:firmware/get_throttled", "garbage\n")
        let h = BoardHealthReader(root: t.root, profile: nil).read()
        XCTAssertNil(h.temperatureMilliCelsius)
        XCTAssertNil(h.throttle)
        XCTAssertEqual(BoardCondition.evaluate(h, profile: nil, wasHot: false), [])
    }

    func testUnderVoltageFromTheHwmonAlarm() {
        let t = FakeTree()
        t.write("sys/class/hwmon/hwmon0/name", "cpu_thermal\n")
        t.write("sys/class/hwmon/hwmon1/name", "rpi_volt\n")
        t.write("sys/class/hwmon/hwmon1/in0_lcrit_alarm", "1\n")
        XCTAssertEqual(BoardHealthReader(root: t.root, profile: nil).read().throttle?.contains(.underVoltage), true)
        t.write("sys/class/hwmon/hwmon1/in0_lcrit_alarm", "0\n")
        XCTAssertEqual(BoardHealthReader(root: t.root, profile: nil).read().throttle, [])
    }

    func testFlagText() {
        XCTAssertEqual(ThrottleFlags(text: "0x50005")?.rawValue, 0x50005)
        XCTAssertEqual(ThrottleFlags(text: "throttled=0x0"), [])
        XCTAssertNil(ThrottleFlags(text: "0x123456789"))
        XCTAssertNil(ThrottleFlags(text: ""))
        XCTAssertEqual(ThrottleFlags(rawValue: 0x6).nowText, "ARM frequency capped, throttled")
    }

    func condition(_ cs: [BoardCondition], _ type: String) -> BoardCondition? { cs.first { $0.type == type } }

    func testThermalPressureAtTheProfilesLimitWithHysteresis() throws {
        let p = try rpi4()
        let cool = BoardCondition.evaluate(BoardHealth(temperatureMilliCelsius: 79_900, thermalZone: "cpu-thermal"), profile: p, wasHot: false)
        XCTAssertEqual(condition(cool, "ThermalPressure")?.active, false)
        XCTAssertEqual(condition(cool, "ThermalPressure")?.reason, "SoCTemperatureNormal")
        XCTAssertEqual(condition(cool, "ThermalPressure")?.message, "SoC temperature 79.9 °C in cpu-thermal, limit 80 °C")
        let hot = BoardCondition.evaluate(BoardHealth(temperatureMilliCelsius: 80_000), profile: p, wasHot: false)
        XCTAssertEqual(condition(hot, "ThermalPressure")?.active, true)
        XCTAssertEqual(condition(hot, "ThermalPressure")?.reason, "SoCTemperatureHigh")
        XCTAssertTrue(condition(hot, "ThermalPressure")!.message.contains("80.0 °C"))
        // Once hot, it stays so until 5 °C below the limit.
        XCTAssertEqual(condition(BoardCondition.evaluate(BoardHealth(temperatureMilliCelsius: 76_000), profile: p, wasHot: true), "ThermalPressure")?.active, true)
        XCTAssertEqual(condition(BoardCondition.evaluate(BoardHealth(temperatureMilliCelsius: 75_000), profile: p, wasHot: true), "ThermalPressure")?.active, false)
    }

    func testUnderVoltageAndThrottlingConditions() {
        let now = BoardCondition.evaluate(BoardHealth(throttle: ThrottleFlags(rawValue: 0x50005)), profile: nil, wasHot: false)
        XCTAssertEqual(condition(now, "UnderVoltage")?.active, true)
        XCTAssertEqual(condition(now, "UnderVoltage")?.reason, "UnderVoltageDetected")
        XCTAssertEqual(condition(now, "SoCThrottled")?.active, true)
        XCTAssertNil(condition(now, "ThermalPressure"), "no temperature read: no thermal condition")
        let past = BoardCondition.evaluate(BoardHealth(throttle: ThrottleFlags(rawValue: 0x50000)), profile: nil, wasHot: false)
        XCTAssertEqual(condition(past, "UnderVoltage")?.active, false)
        XCTAssertEqual(condition(past, "UnderVoltage")?.reason, "PowerSupplySufficient")
        XCTAssertTrue(condition(past, "UnderVoltage")!.message.contains("has occurred since boot"))
        XCTAssertEqual(condition(past, "SoCThrottled")?.reason, "SoCNotThrottled")
    }
}
