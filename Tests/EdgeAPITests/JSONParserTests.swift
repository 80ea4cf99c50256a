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

    func testDepthLimit() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        XCTAssertThrowsError(try JSONParser.parse(deep))
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
