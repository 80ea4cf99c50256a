import XCTest
@testable import EdgeStore

final class MemoryBackendTests: XCTestCase {
    func testCRUDAndCAS() async throws { try await BackendConformance.crudAndCAS(MemoryBackend()) }
    func testListPagingAndHistory() async throws { try await BackendConformance.listPagingAndHistory(MemoryBackend()) }
    func testWatchReplayThenLive() async throws { try await BackendConformance.watchReplayThenLiveNoGapNoDuplicate(MemoryBackend()) }
    func testWatchCarriesPrevious() async throws { try await BackendConformance.watchDeleteAndUpdateCarryPrevious(MemoryBackend()) }
    func testCompaction() async throws { try await BackendConformance.compaction(MemoryBackend()) }
}
