import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// Every store test against a real etcd 3.4, through the v3 JSON gateway.
final class EtcdBackendTests: XCTestCase {
    var etcd: EtcdTestCluster!
    var backend: EtcdBackend!

    override func setUp() async throws {
        etcd = try EtcdTestCluster()
        backend = try etcd.backend()
    }

    override func tearDown() async throws {
        await backend?.close()
        backend = nil
        etcd = nil
    }

    func testCRUDAndCAS() async throws { try await BackendConformance.crudAndCAS(backend) }
    func testListPagingAndHistory() async throws { try await BackendConformance.listPagingAndHistory(backend) }
    func testWatchReplayThenLive() async throws { try await BackendConformance.watchReplayThenLiveNoGapNoDuplicate(backend) }
    func testWatchCarriesPrevious() async throws { try await BackendConformance.watchDeleteAndUpdateCarryPrevious(backend) }
    func testCompaction() async throws { try await BackendConformance.compaction(backend) }
}

extension EtcdBackendTests {
    func testWatchSurvivesEtcdRestart() async throws {
        try await BackendConformance.watchSurvivesStoreRestart(backend, kill: { etcd.kill() }, restart: { try etcd.restart() })
    }
}

extension EtcdBackendTests {
    /// The snapshot is etcd's own, whole (etcdctl checks its trailing hash).
    func testSnapshotIsCompleteForEtcdctl() async throws {
        for i in 0..<100 { _ = try await backend.create("/snap/\(i)", value: Array(repeating: UInt8(i), count: 2000)) }
        let file = etcd.dir + "/snap.db"
        guard let f = fopen(file, "wb") else { return XCTFail("cannot write \(file)") }
        let n = try await EtcdMaintenance(backend).snapshot { chunk in _ = chunk.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } }
        fclose(f)
        XCTAssertGreaterThan(n, 200_000)
        XCTAssertEqual(TestEnvironment.run("ETCDCTL_API=3 etcdctl snapshot status '\(file)' > /dev/null 2>&1"), 0, "etcdctl accepts the snapshot")
    }

    func testMembersAreListed() async throws {
        let members = try await EtcdMaintenance(backend).members()
        XCTAssertEqual(members.map(\.name), ["test"])
        XCTAssertEqual(members.first?.clientURLs, ["http://127.0.0.1:\(etcd.clientPort)"])
    }
}
