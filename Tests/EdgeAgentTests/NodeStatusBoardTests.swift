import XCTest
import EdgeAPI
import EdgeBoards
@testable import EdgeAgent

/// Node status on a known board: the profile's reserved memory and eviction thresholds, and the board's health conditions.
final class NodeStatusBoardTests: XCTestCase {
    func facts(memory: Int64, available: Int64, board: BoardHealth? = nil) -> NodeFacts {
        NodeFacts(cpuCores: 4, memoryBytes: memory, memoryAvailableBytes: available, diskBytes: 32 << 30, diskAvailableBytes: 16 << 30,
                  pidsMax: 32768, pidsInUse: 100, kernelVersion: "6.6", osImage: "Raspberry Pi OS", architecture: "arm64",
                  machineID: "m", bootID: "b", internalIP: "192.0.2.1", hostname: "pi", board: board)
    }

    func profile(_ name: String) throws -> BoardProfile { try XCTUnwrap(BoardCatalog.builtIn().profile(named: name)) }

    func condition(_ status: JSON, _ type: String) -> JSON? {
        (status["conditions"]?.array ?? []).first { $0["type"]?.string == type }
    }

    func testAllocatableLeavesTheBoardsReservationAndEvictionThreshold() throws {
        let zero = try profile("rpi-zero2w")
        let s = NodeStatusBuilder.status(facts(memory: 512 << 20, available: 300 << 20), runtimeVersion: "x", now: .now(), previous: nil, board: zero)
        let expected = (512 << 20) - zero.reservedMemory.bytes(capacity: 512 << 20) - (50 << 20)
        XCTAssertEqual(s[path: ["allocatable", "memory"]]?.string, "\(expected / 1024)Ki")
        XCTAssertEqual(condition(s, "MemoryPressure")?["status"]?.string, "False")
        // The Zero's threshold is 50Mi, not kubelet's 100Mi: 60Mi available is no pressure there, but is on a Pi 4.
        let tight = facts(memory: 512 << 20, available: 60 << 20)
        XCTAssertEqual(condition(NodeStatusBuilder.status(tight, runtimeVersion: "x", now: .now(), previous: nil, board: zero), "MemoryPressure")?["status"]?.string, "False")
        XCTAssertEqual(condition(NodeStatusBuilder.status(tight, runtimeVersion: "x", now: .now(), previous: nil, board: try profile("rpi4")), "MemoryPressure")?["status"]?.string, "True")
    }

    func testBoardHealthBecomesConditionsBeforeReady() throws {
        let health = BoardHealth(temperatureMilliCelsius: 81_000, thermalZone: "cpu-thermal", throttle: ThrottleFlags(rawValue: 0x1))
        let s = NodeStatusBuilder.status(facts(memory: 4 << 30, available: 3 << 30, board: health), runtimeVersion: "x", now: .now(),
                                         previous: nil, board: try profile("rpi4"))
        let types = (s["conditions"]?.array ?? []).map { $0["type"]!.string! }
        XCTAssertEqual(types, ["MemoryPressure", "DiskPressure", "PIDPressure", "ThermalPressure", "UnderVoltage", "SoCThrottled", "Ready"])
        XCTAssertEqual(condition(s, "ThermalPressure")?["status"]?.string, "True")
        XCTAssertEqual(condition(s, "ThermalPressure")?["reason"]?.string, "SoCTemperatureHigh")
        XCTAssertEqual(condition(s, "UnderVoltage")?["status"]?.string, "True")
        XCTAssertEqual(condition(s, "Ready")?["status"]?.string, "True")
    }

    /// A temperature that moves by a tenth of a degree must not rewrite the Node (SD card writes); a change of state must.
    func testTemperatureFiguresAloneAreNotASignificantChange() throws {
        let p = try profile("rpi4")
        let a = NodeStatusBuilder.status(facts(memory: 4 << 30, available: 3 << 30, board: BoardHealth(temperatureMilliCelsius: 50_000)),
                                         runtimeVersion: "x", now: .now(), previous: nil, board: p)
        let b = NodeStatusBuilder.status(facts(memory: 4 << 30, available: 3 << 30, board: BoardHealth(temperatureMilliCelsius: 50_100)),
                                         runtimeVersion: "x", now: .now(), previous: a, board: p)
        XCTAssertNotEqual(condition(a, "ThermalPressure")?["message"], condition(b, "ThermalPressure")?["message"])
        XCTAssertEqual(NodeStatusBuilder.significant(a), NodeStatusBuilder.significant(b))
        let c = NodeStatusBuilder.status(facts(memory: 4 << 30, available: 3 << 30, board: BoardHealth(temperatureMilliCelsius: 85_000)),
                                         runtimeVersion: "x", now: .now(), previous: b, board: p)
        XCTAssertNotEqual(NodeStatusBuilder.significant(b), NodeStatusBuilder.significant(c))
    }
}
