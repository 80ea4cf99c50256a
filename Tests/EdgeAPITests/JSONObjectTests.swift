import XCTest
@testable import EdgeAPI

/// Big objects (a ConfigMap may carry hundreds of thousands of keys) switch to
/// an indexed lookup: the same answers as the small, scanned form.
final class JSONObjectTests: XCTestCase {
    func testIndexedObjectAnswersAsAScannedOne() {
        var o = JSONObject()
        let n = 5 * JSONObject.indexThreshold
        for i in 0..<n { o["k\(i)"] = .int(Int64(i)) }
        XCTAssertEqual(o.count, n)
        XCTAssertEqual(o["k\(n - 1)"]?.int, Int64(n - 1))
        XCTAssertEqual(o.index(of: "k7"), 7)
        o["k7"] = "seven"
        XCTAssertEqual(o.index(of: "k7"), 7, "replacing keeps the position")
        XCTAssertEqual(o.removeValue(forKey: "k3")?.int, 3)
        XCTAssertNil(o["k3"])
        XCTAssertEqual(o.index(of: "k4"), 3, "later keys move down")
        XCTAssertEqual(o["k7"]?.string, "seven")
        o["k3"] = 33
        XCTAssertEqual(o.keys.last, "k3", "a new key goes last")
        // Shrinking back below the threshold still answers.
        for i in 0..<(n - 2) where i != 3 { o["k\(i)"] = nil }
        XCTAssertEqual(o.keys, ["k\(n - 2)", "k\(n - 1)", "k3"])
        XCTAssertEqual(o["k3"]?.int, 33)
        XCTAssertNil(o["k0"])
    }

    func testEqualityIgnoresOrderAtAnySize() {
        for n in [3, 3 * JSONObject.indexThreshold] {
            var a = JSONObject(), b = JSONObject()
            for i in 0..<n { a["k\(i)"] = .int(Int64(i)) }
            for i in (0..<n).reversed() { b["k\(i)"] = .int(Int64(i)) }
            XCTAssertEqual(a, b)
            b["k0"] = 99
            XCTAssertNotEqual(a, b)
        }
    }

    func testParsedBigObjectKeepsEveryKey() throws {
        let n = 20_000
        let text = "{" + (0..<n).map { "\"key-\($0)\":\"v\($0)\"" }.joined(separator: ",") + ",\"key-5\":\"last\"}"
        let (v, dups) = try JSONParser.parseNotingDuplicates(Array(text.utf8))
        XCTAssertEqual(v.object?.count, n)
        XCTAssertEqual(v["key-19999"]?.string, "v19999")
        XCTAssertEqual(v["key-5"]?.string, "last")
        XCTAssertEqual(dups.paths, ["key-5"])
    }
}
