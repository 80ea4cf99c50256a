import XCTest
import EdgeAPI
@testable import EdgeAgent

/// DiskPressure follows kubelet's hard eviction thresholds: nodefs.available < 10%, imagefs.available < 15%.
final class NodeStatusDiskPressureTests: XCTestCase {
    func facts(disk: (Int64, Int64), images: (Int64, Int64)) -> NodeFacts {
        NodeFacts(cpuCores: 4, memoryBytes: 4 << 30, memoryAvailableBytes: 3 << 30, diskBytes: disk.0, diskAvailableBytes: disk.1,
                  pidsMax: 32768, pidsInUse: 200, kernelVersion: "6.1", osImage: "Debian", architecture: "arm64", machineID: "m",
                  bootID: "b", internalIP: "192.0.2.1", hostname: "pi", imageFilesystemBytes: images.0, imageFilesystemAvailableBytes: images.1)
    }

    func diskPressure(_ f: NodeFacts) -> (status: String, reason: String, message: String) {
        let status = NodeStatusBuilder.status(f, runtimeVersion: "edgectl://0", now: .now(), previous: nil)
        let c = (status["conditions"]?.array ?? []).first { $0["type"]?.string == "DiskPressure" }
        return (c?["status"]?.string ?? "", c?["reason"]?.string ?? "", c?["message"]?.string ?? "")
    }

    func testImagefsBelowFifteenPercentIsPressure() {
        let p = diskPressure(facts(disk: (1000, 500), images: (1000, 149)))
        XCTAssertEqual(p.status, "True")
        XCTAssertEqual(p.reason, "KubeletHasDiskPressure")
        XCTAssertEqual(p.message, "kubelet has disk pressure")
        XCTAssertEqual(diskPressure(facts(disk: (1000, 500), images: (1000, 150))).status, "False", "exactly 15% available is not below it")
    }

    func testNodefsBelowTenPercentIsPressure() {
        XCTAssertEqual(diskPressure(facts(disk: (1000, 99), images: (2000, 1000))).status, "True")
        let none = diskPressure(facts(disk: (1000, 100), images: (2000, 1000)))
        XCTAssertEqual(none.status, "False")
        XCTAssertEqual(none.reason, "KubeletHasNoDiskPressure")
        XCTAssertEqual(none.message, "kubelet has no disk pressure")
    }

    func testOneSharedFilesystemCountsAgainstTheImagefsThreshold() {
        // Images on the data dir's filesystem: 12% available is fine for nodefs, not for imagefs.
        XCTAssertEqual(diskPressure(facts(disk: (1000, 120), images: (1000, 120))).status, "True")
    }

    func testUnknownFilesystemsAreNoPressure() {
        XCTAssertEqual(diskPressure(facts(disk: (0, 0), images: (0, 0))).status, "False")
    }
}
