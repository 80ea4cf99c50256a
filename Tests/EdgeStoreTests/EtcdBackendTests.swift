import XCTest
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
