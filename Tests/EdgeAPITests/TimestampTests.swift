import XCTest
@testable import EdgeAPI

final class TimestampTests: XCTestCase {
    func testFormatsAndParsesRFC3339() {
        let t = Timestamp(seconds: 1_795_000_000)
        XCTAssertEqual(t.rfc3339, "2026-11-18T11:06:40Z")
        XCTAssertEqual(Timestamp(rfc3339: "2026-11-18T11:06:40Z"), t)
        XCTAssertEqual(Timestamp(rfc3339: "2026-11-18T12:06:40+01:00")?.seconds, t.seconds)
        XCTAssertEqual(Timestamp(rfc3339: "2026-11-18T11:06:40.123456Z")?.nanoseconds, 123_456_000)
        XCTAssertEqual(Timestamp(seconds: 0, nanoseconds: 5000).rfc3339Micro, "1970-01-01T00:00:00.000005Z")
        XCTAssertNil(Timestamp(rfc3339: "2026-13-18T08:26:40Z"))
        XCTAssertNil(Timestamp(rfc3339: "yesterday"))
    }

    func testLeapYearDates() {
        XCTAssertEqual(Timestamp(rfc3339: "2024-02-29T00:00:00Z")?.rfc3339, "2024-02-29T00:00:00Z")
        XCTAssertEqual(Timestamp(rfc3339: "2000-03-01T00:00:00Z").map { $0.seconds - 86400 }.map { Timestamp(seconds: $0).rfc3339 },
                       "2000-02-29T00:00:00Z")
    }

    /// Seconds from protobuf or storage can be anything an Int64 holds: formatting stays in
    /// years 1-9999 (and never traps on a 32-bit Int, as it did on armv7).
    func testSecondsOutsideRFC3339YearsFormatAtTheEdges() {
        XCTAssertEqual(Timestamp(seconds: .max).rfc3339, "9999-12-31T23:59:59Z")
        XCTAssertEqual(Timestamp(seconds: .min).rfc3339, "0001-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp(seconds: 253_402_300_799).rfc3339, "9999-12-31T23:59:59Z")
        XCTAssertEqual(Timestamp(seconds: 2_147_483_648).rfc3339, "2038-01-19T03:14:08Z")
    }

    func testIdentifiers() {
        let u = Identifiers.uuid()
        XCTAssertEqual(u.count, 36)
        XCTAssertNotEqual(u, Identifiers.uuid())
        // RFC 4122 version 4: 8-4-4-4-12 lowercase hex, version nibble 4, variant 10xx.
        let parts = u.split(separator: "-").map(String.init)
        XCTAssertEqual(parts.map(\.count), [8, 4, 4, 4, 12])
        XCTAssertTrue(u.allSatisfy { "0123456789abcdef-".contains($0) })
        XCTAssertEqual(parts[2].first, "4")
        XCTAssertTrue("89ab".contains(parts[3].first!))
        XCTAssertEqual(Set((0..<200).map { _ in Identifiers.uuid() }).count, 200)
        let n = Identifiers.generatedName(prefix: "web-")
        XCTAssertTrue(n.hasPrefix("web-"))
        XCTAssertEqual(n.count, 9)
    }
}
