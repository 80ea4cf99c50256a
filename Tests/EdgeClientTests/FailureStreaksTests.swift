import XCTest
@testable import EdgeClient

final class FailureStreaksTests: XCTestCase {
    struct Failure: Error, CustomStringConvertible { let description: String }

    func testTheFirstFailureOfAStreakAndEveryNewMessageAreWorthALine() {
        let streaks = FailureStreaks()
        XCTAssertTrue(streaks.failed("default/a", Failure(description: "disk full")), "the first failure")
        XCTAssertFalse(streaks.failed("default/a", Failure(description: "disk full")), "the same failure again")
        XCTAssertFalse(streaks.failed("default/a", Failure(description: "disk full")))
        XCTAssertTrue(streaks.failed("default/a", Failure(description: "conflict")), "a different failure")
        XCTAssertTrue(streaks.failed("default/b", Failure(description: "disk full")), "another key has its own streak")
        XCTAssertEqual(streaks.succeeded("default/a"), 4, "the recovery counts the streak's failures")
        XCTAssertNil(streaks.succeeded("default/a"), "a success after a success ends no streak")
        XCTAssertTrue(streaks.failed("default/a", Failure(description: "conflict")), "a new streak is said again")
        streaks.forget("default/b")
        XCTAssertNil(streaks.succeeded("default/b"), "a forgotten key has no recovery to report")
    }

    func testKeysThatNeverSucceedCannotGrowItWithoutEnd() {
        let streaks = FailureStreaks(limit: 10)
        for i in 0..<25 { XCTAssertTrue(streaks.failed("gone/\(i)", Failure(description: "not found"))) }
        XCTAssertLessThanOrEqual(streaks.count, 10)
    }
}
