import EdgeAPI
import XCTest
@testable import EdgeControllers

final class WrittenVersionsTests: XCTestCase {
    func obj(_ rv: String) -> JSON { ["metadata": ["name": "x", "resourceVersion": .string(rv)]] }

    /// A cached copy older than the controller's own last write is stale; the write itself or
    /// anything newer is not, and a key never written (or forgotten) never is.
    func testOnlyCopiesOlderThanTheLastWriteAreStale() {
        let w = WrittenVersions()
        XCTAssertFalse(w.isStale("ns/a", obj("5")))
        w.record("ns/a", obj("10"))
        XCTAssertTrue(w.isStale("ns/a", obj("9")))
        XCTAssertFalse(w.isStale("ns/a", obj("10")))
        XCTAssertFalse(w.isStale("ns/a", obj("11")))
        XCTAssertFalse(w.isStale("ns/b", obj("1")), "keys are apart")
        w.record("ns/a", obj("7"))
        XCTAssertTrue(w.isStale("ns/a", obj("9")), "an older write does not lower the mark")
        w.forget("ns/a")
        XCTAssertFalse(w.isStale("ns/a", obj("9")))
        XCTAssertFalse(w.isStale("ns/a", ["metadata": ["name": "x"]]), "no resourceVersion: not judged")
    }
}
