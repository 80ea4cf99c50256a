import XCTest
@testable import EdgeAPI

final class CronScheduleTests: XCTestCase {
    func at(_ s: String) -> Timestamp { Timestamp(rfc3339: s)! }
    func next(_ spec: String, _ after: String) throws -> String? { try CronSchedule(spec).next(after: at(after))?.rfc3339 }

    func testNextRunTimes() throws {
        XCTAssertEqual(try next("*/15 * * * *", "2026-11-24T10:07:30Z"), "2026-11-24T10:15:00Z")
        XCTAssertEqual(try next("* * * * *", "2026-11-24T10:07:00Z"), "2026-11-24T10:08:00Z", "strictly after")
        XCTAssertEqual(try next("@hourly", "2026-11-24T10:07:00Z"), "2026-11-24T11:00:00Z")
        XCTAssertEqual(try next("30 2 * * MON", "2026-11-24T10:00:00Z"), "2026-11-30T02:30:00Z", "2026-11-24 is a Tuesday")
        XCTAssertEqual(try next("0 0 29 2 *", "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00Z", "leap day")
        XCTAssertEqual(try next("0 9-17/4 * * 1-5", "2026-11-27T18:00:00Z"), "2026-11-30T09:00:00Z", "Friday evening -> Monday")
        XCTAssertEqual(try next("0 0 1 JAN,jul *", "2026-11-24T00:00:00Z"), "2027-01-01T00:00:00Z")
        XCTAssertEqual(try next("0 0 * * 7", "2026-11-24T00:00:00Z"), "2026-11-29T00:00:00Z", "7 is Sunday too")
    }

    func testEitherDayFieldMatchesWhenBothAreRestricted() throws {
        // Day 1 of the month OR a Friday: the first hit after Tue 24 Nov is Fri 27 Nov.
        XCTAssertEqual(try next("0 0 1 * FRI", "2026-11-24T00:00:00Z"), "2026-11-27T00:00:00Z")
    }

    func testInvalidSchedulesAreRejected() {
        for bad in ["61 * * * *", "* * * *", "* * 0 * *", "*/0 * * * *", "* * * FOO *", "5-1 * * * *", ""] {
            XCTAssertThrowsError(try CronSchedule(bad), bad)
        }
        XCTAssertNoThrow(try CronSchedule("TZ=UTC 0 * * * *"))
    }
}
