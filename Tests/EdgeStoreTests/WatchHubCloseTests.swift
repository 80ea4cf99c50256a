import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// Closing the store while a watch is open ends the watch (it used to finish the stream while holding
/// the hub's lock, whose onTermination then locked it again: "Recursive call to lock Mutex" at shutdown).
final class WatchHubCloseTests: XCTestCase {
    func testClosingWithAnOpenWatchEndsItCleanly() async throws {
        var template = Array("/tmp/edgectl-hub-XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template))
        defer { _ = system("rm -rf '\(dir)'") }
        let b = try SQLiteBackend(path: dir + "/state.db")
        _ = try await b.create("/registry/x/a", value: Array("1".utf8))
        let stream = b.watch(prefix: "/registry/", afterRevision: 0)
        let reader = Task { () -> Int in
            var n = 0
            do { for try await _ in stream { n += 1 } } catch {}
            return n
        }
        try await Task.sleep(for: .milliseconds(100))
        await b.close()
        let seen = await reader.value
        XCTAssertEqual(seen, 1, "the replayed event, then the end of the stream")
    }

    /// The same for a reset (the PostgreSQL change feed's, after history it missed was compacted):
    /// open watchers end with the error, and the hub serves new watchers from the new revision.
    func testResettingWithAnOpenWatchEndsItWithTheError() async throws {
        let hub = WatchHub(currentRevision: 5)
        let stream = hub.watch(prefix: "/registry/", after: 5) { _, _ in [] }
        let reader = Task { () -> String in
            do {
                for try await _ in stream {}
                return "ended without an error"
            } catch {
                return "\(error)"
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        hub.reset(to: 9, endingWatchersWith: StoreError.compacted(requested: 5, compactedAt: 9))
        let ending = await reader.value
        XCTAssertTrue(ending.contains("compacted"), ending)
        XCTAssertEqual(hub.watcherCount, 0)
        XCTAssertEqual(hub.publishedRevision, 9)
    }
}
