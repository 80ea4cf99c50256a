import XCTest
import EdgeTestSupport
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

    /// A key asked for again and again with a delay waits once, for the earliest
    /// time asked (client-go's delaying queue). Each request used to start a task
    /// of its own: every update of a CronJob due next year left one more task
    /// sleeping until then, and a few thousand updates kept megabytes of them.
    func testDelayedKeyWaitsOnceForTheEarliestTime() async throws {
        let q = WorkQueue()
        for _ in 0..<500 { q.addAfter("cron", .seconds(3600)) }
        XCTAssertEqual(q.waitingCount, 1, "one waiting key, however often it is asked for")
        q.addAfter("cron", .seconds(7200))
        XCTAssertEqual(q.waitingCount, 1, "a later time does not postpone the earlier one")
        q.addAfter("cron", .milliseconds(30))
        XCTAssertEqual(q.waitingCount, 1, "an earlier time replaces the later one")
        q.addAfter("other", .milliseconds(30))
        XCTAssertEqual(q.waitingCount, 2)
        let deadline = TestDeadline.after(.seconds(10))
        while q.count < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(q.count, 2, "both keys queued at the earlier time")
        XCTAssertEqual(q.waitingCount, 0)
        let first = await q.get()
        let second = await q.get()
        XCTAssertEqual(Set([first, second]), ["cron", "other"])
        q.done("cron")
        q.done("other")
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(q.count, 0, "the replaced hour-long wait does not queue the key again")
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
