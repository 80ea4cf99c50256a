import XCTest
@testable import EdgeClient

final class WorkQueueTests: XCTestCase {
    func testDeduplicatesWaitingKeys() async {
        let q = WorkQueue()
        q.add("a"); q.add("b"); q.add("a")
        XCTAssertEqual(q.count, 2)
        let first = await q.get()
        let second = await q.get()
        XCTAssertEqual([first, second], ["a", "b"])
    }

    func testKeyAddedWhileProcessingIsRequeuedAfterDoneNotHandedOutTwice() async {
        let q = WorkQueue()
        q.add("a")
        let k = await q.get()
        XCTAssertEqual(k, "a")
        q.add("a")
        XCTAssertEqual(q.count, 0, "a key being processed must not be handed to a second worker")
        q.done("a")
        XCTAssertEqual(q.count, 1)
        let again = await q.get()
        XCTAssertEqual(again, "a")
    }

    func testRateLimitedBackoffGrowsAndForgetResets() async throws {
        let q = WorkQueue(baseDelay: .milliseconds(20), maxDelay: .seconds(1))
        q.addRateLimited("x")
        q.addRateLimited("x")
        XCTAssertEqual(q.failures("x"), 2)
        let start = ContinuousClock.now
        let k = await q.get()
        XCTAssertEqual(k, "x")
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(15))
        q.forget("x")
        XCTAssertEqual(q.failures("x"), 0)
    }

    func testShutDownReleasesWaiters() async {
        let q = WorkQueue()
        async let k = q.get()
        try? await Task.sleep(for: .milliseconds(20))
        q.shutDown()
        let v = await k
        XCTAssertNil(v)
    }
}
