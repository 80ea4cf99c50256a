import XCTest
@testable import EdgeAPI

final class JSONParserTests: XCTestCase {
    func testRoundTripKeepsKeyOrderAndTypes() throws {
        let text = #"{"kind":"Pod","apiVersion":"v1","spec":{"replicas":3,"ratio":0.5,"on":true,"x":null,"list":[1,"a",{}]}}"#
        let v = try JSONParser.parse(text)
        XCTAssertEqual(JSONSerializer.string(v), text)
        XCTAssertEqual(v["spec"]?["replicas"]?.int, 3)
        XCTAssertEqual(v["spec"]?["ratio"]?.double, 0.5)
        XCTAssertEqual(v.object?.keys, ["kind", "apiVersion", "spec"])
    }

    func testEscapesAndUnicode() throws {
        let v = try JSONParser.parse(#""a\"b\\c\n\u00e9\ud83d\ude00<""#)
        XCTAssertEqual(v.string, "a\"b\\c\né😀<")
        XCTAssertEqual(JSONSerializer.string(v), #""a\"b\\c\né😀\u003c""#)
    }

    func testLargeIntegersStayExact() throws {
        let v = try JSONParser.parse("[9007199254740993, -12, 1e3, 1.5e-3]")
        XCTAssertEqual(v.array?[0], .int(9007199254740993))
        XCTAssertEqual(v.array?[1].int, -12)
        XCTAssertEqual(v.array?[2].int, 1000)
        XCTAssertEqual(v.array?[3].double, 0.0015)
    }

    func testMalformedInputIsRejectedWithOffset() {
        for bad in ["{", "{\"a\" 1}", "[1,]", "01", "\"abc", "tru", "{} x", "{\"a\":1,}", "\"\u{01}\""] {
            XCTAssertThrowsError(try JSONParser.parse(bad), bad) { err in
                XCTAssertNotNil(err as? JSONParseError)
            }
        }
        do { _ = try JSONParser.parse("{\"a\": ?}"); XCTFail() } catch { XCTAssertEqual(error.offset, 6) }
    }

    /// The limit's levels are read (and written and compared: the server does all three), one more is
    /// refused in the words of Go's scanner. Run on a task as the server does, so the stack is the server's.
    func testDepthLimitIsUpstreams() async throws {
        let ok = try await Task.detached { () -> Bool in
            let depth = JSONParser.maxDepth
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let v = try JSONParser.parse(text)
            // Whatever the server does with the value afterwards must not run out of stack either.
            let copy = try JSONParser.parse(JSONSerializer.serialize(v))
            return copy == v
        }.value
        XCTAssertTrue(ok)
        let over = String(repeating: "{\"a\":", count: JSONParser.maxDepth + 1) + "1" + String(repeating: "}", count: JSONParser.maxDepth + 1)
        XCTAssertThrowsError(try JSONParser.parse(over)) { err in
            XCTAssertTrue((err as? JSONParseError)?.message.contains("exceeded max depth") ?? false, "\(err)")
        }
    }

    func testRepeatedKeysLastValueWinsAndPathsAreReported() throws {
        let text = #"{"a":1,"b":{"c":1,"c":2,"c":3},"a":3,"l":[{"x":1},{"x":1,"x":2}],"m":{"k":{"k":1}}}"#
        let (v, dups) = try JSONParser.parseNotingDuplicates(Array(text.utf8))
        XCTAssertEqual(v["a"]?.int, 3)
        XCTAssertEqual(v[path: ["b", "c"]]?.int, 3)
        XCTAssertEqual(v.object?.keys, ["a", "b", "l", "m"], "a repeated key keeps its first position")
        XCTAssertEqual(dups.paths, ["b.c", "a", "l[1].x"], "each repeated path once, in document order")
        XCTAssertEqual(dups.firstOccurrence["l[1].x"].map { $0 < dups.ordinals[2] }, true)
        let (_, none) = try JSONParser.parseNotingDuplicates(Array(#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#.utf8))
        XCTAssertTrue(none.isEmpty, "the same key in different objects is no repeat")
    }

    func testNumbersAtTheEdgesOfInt64() throws {
        let v = try JSONParser.parse("[-9223372036854775808, 9223372036854775807, 9223372036854775808, -9223372036854775809, 18446744073709551616, 1e999, -0, 2147483648]")
        XCTAssertEqual(v.array?[0], .int(.min))
        XCTAssertEqual(v.array?[1], .int(.max))
        XCTAssertEqual(v.array?[2].double, 9223372036854775808.0)
        if case .int = v.array?[2] { XCTFail("past Int64 must not read as an integer") }
        if case .int = v.array?[3] { XCTFail("past Int64 must not read as an integer") }
        if case .int = v.array?[4] { XCTFail("past UInt64 must not read as an integer") }
        XCTAssertEqual(v.array?[5].double, .infinity)
        XCTAssertEqual(v.array?[6], .int(0))
        XCTAssertEqual(v.array?[7].int32, Int32.max, "int32 reads saturate")
        XCTAssertEqual(JSON.int(.min).clampedInt, Int(Int32.min))
    }

    /// A number literal as long as a body: read in time linear in its length, to the nearest Double.
    func testVeryLongNumbersAreReadToTheirValue() throws {
        let long = try JSONParser.parse("[" + "1" + String(repeating: "0", count: 100_000) + ", -0.000" + String(repeating: "0", count: 2000)
                                        + "25e2003, 123456789012345678901234567890123456789012345678901234567890123456789.5e-50, 1e99999999999999999999, 0.00e5]")
        XCTAssertEqual(long.array?[0].double, .infinity)
        XCTAssertEqual(long.array?[1].double, -0.25)
        XCTAssertEqual(long.array?[2].double ?? 0, 1.2345678901234568e18, accuracy: 1e3)
        XCTAssertEqual(long.array?[3].double, .infinity)
        XCTAssertEqual(long.array?[4].double, 0)
    }

    func testEscapedScalarsDecode() throws {
        let v = try JSONParser.parse(#""\u00e9\u4e2d\ud83d\ude00\ud800x""#)
        XCTAssertEqual(v.string, "é中😀\u{FFFD}x")
    }

    func testEqualityIgnoresKeyOrder() throws {
        XCTAssertEqual(try JSONParser.parse(#"{"a":1,"b":[1.0]}"#), try JSONParser.parse(#"{"b":[1],"a":1}"#))
        XCTAssertNotEqual(try JSONParser.parse(#"{"a":1}"#), try JSONParser.parse(#"{"a":1,"b":null}"#))
    }

    func testPathSubscriptCreatesAndRemoves() {
        var v: JSON = ["kind": "Pod"]
        v[path: ["metadata", "labels", "app"]] = "web"
        XCTAssertEqual(v[path: ["metadata", "labels", "app"]]?.string, "web")
        v[path: ["metadata", "labels", "app"]] = nil
        XCTAssertEqual(v[path: ["metadata", "labels"]], .object(JSONObject()))
        v[path: ["status", "phase"]] = nil
        XCTAssertNil(v["status"])
    }
}
