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

    /// The digit-by-digit writer gives exactly the text of the interpolated form it replaced.
    func testRFC3339MatchesTheInterpolatedForm() {
        func reference(_ t: Timestamp) -> String {
            func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
            let (y, mo, d, h, mi, s) = t.civil
            return "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2))Z"
        }
        var seconds: [Int64] = [0, 1, 59, 86_399, 86_400, 951_782_400, 1_700_000_000, -1, -86_401, .min, .max,
                                Timestamp.earliestWritable, Timestamp.latestWritable, Timestamp.now().seconds]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            seconds.append(Int64(bitPattern: x) % 300_000_000_000)
        }
        for s in seconds {
            let t = Timestamp(seconds: s)
            XCTAssertEqual(t.rfc3339, reference(t), "\(s)")
            XCTAssertEqual(t.rfc3339.utf8.count, 20)
        }
    }
}
