import XCTest
import EdgeStore
@testable import EdgeRegistry

final class NamespaceStateCacheTests: XCTestCase {
    func kv(_ name: String, _ body: String, rev: Int64) -> KeyValue {
        KeyValue(key: "/registry/namespaces/" + name, value: Array(body.utf8), createRevision: 1, modRevision: rev)
    }

    func testTheSameBytesAreJudgedOnce() {
        let cache = NamespaceStateCache()
        var judged = 0
        for _ in 0..<3 {
            XCTAssertFalse(cache.terminating(kv("a", #"{"status":{"phase":"Active"}}"#, rev: 5)) { _ in judged += 1; return false })
        }
        XCTAssertEqual(judged, 1)
    }

    func testChangedBytesAreJudgedAgainEvenAtTheSameRevision() {
        let cache = NamespaceStateCache()
        XCTAssertFalse(cache.terminating(kv("a", #"{"status":{"phase":"Active"}}"#, rev: 5)) { _ in false })
        // Another store sharing the chain may hold other bytes under the same key and revision.
        XCTAssertTrue(cache.terminating(kv("a", #"{"status":{"phase":"Terminating"}}"#, rev: 5)) { _ in true })
        XCTAssertTrue(cache.terminating(kv("a", #"{"status":{"phase":"Terminating"}}"#, rev: 5)) { _ in XCTFail("judged twice"); return false })
    }

    func testItStaysBounded() {
        let cache = NamespaceStateCache(limit: 4)
        for i in 0..<10 { _ = cache.terminating(kv("n\(i)", "{}", rev: Int64(i))) { _ in false } }
        XCTAssertLessThanOrEqual(cache.count, 4)
    }
}
