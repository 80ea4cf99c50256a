import XCTest
@testable import EdgeStore

final class CompactorTests: XCTestCase {
    func testKeepsTheRetentionWindowAndCompactsOlderHistory() async throws {
        let b = MemoryBackend()
        let first = try await b.create("/c/a", value: [1])
        let task = Task { await Compactor(backend: b, interval: .milliseconds(20), retention: .milliseconds(200)).run() }
        defer { task.cancel() }
        var rev = first
        let start = ContinuousClock.now
        // Writes keep coming; right after each, nothing written within the window may be compacted.
        while ContinuousClock.now - start < .milliseconds(700) {
            rev = try await b.update("/c/a", value: [2], expectedRevision: rev)
            try await Task.sleep(for: .milliseconds(10))
        }
        let compacted = try await b.compactedRevision()
        XCTAssertGreaterThan(compacted, first, "old history is compacted")
        XCTAssertLessThan(compacted, rev, "recent history is kept")
    }
}
