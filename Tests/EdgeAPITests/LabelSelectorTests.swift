import XCTest
@testable import EdgeAPI

final class LabelSelectorTests: XCTestCase {
    func labels(_ pairs: [String: String]) -> JSONObject { JSONObject(pairs.map { ($0.key, JSON.string($0.value)) }) }

    func testOperators() throws {
        let s = try LabelSelector.parse("env in (prod, dev),tier,!legacy,app!=web,team==blue")
        XCTAssertTrue(s.matches(labels(["env": "prod", "tier": "db", "app": "api", "team": "blue"])))
        XCTAssertFalse(s.matches(labels(["env": "qa", "tier": "db", "app": "api", "team": "blue"])))
        XCTAssertFalse(s.matches(labels(["env": "prod", "app": "api", "team": "blue"])))
        XCTAssertFalse(s.matches(labels(["env": "prod", "tier": "db", "legacy": "1", "app": "api", "team": "blue"])))
        XCTAssertFalse(s.matches(labels(["env": "prod", "tier": "db", "app": "web", "team": "blue"])))
        let notin = try LabelSelector.parse("env notin (prod)")
        XCTAssertTrue(notin.matches(labels([:])), "notin matches a missing label, as upstream")
        XCTAssertEqual(try LabelSelector.parse("").requirements.count, 0)
        XCTAssertEqual(try LabelSelector.parse("example.com/app=x").requirements[0].key, "example.com/app")
    }

    func testErrors() {
        for bad in ["env in (", "env in prod", "=x", "a!b", "bad key=x", "a=b c", "-a=b"] {
            XCTAssertThrowsError(try LabelSelector.parse(bad), bad)
        }
    }

    func testFromStructuredSelector() throws {
        let sel: JSON = ["matchLabels": ["app": "web"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["a", "b"]]]]
        let s = try LabelSelector.from(sel)
        XCTAssertEqual(s.description, "app=web,tier in (a,b)")
        XCTAssertTrue(s.matches(labels(["app": "web", "tier": "b"])))
        XCTAssertThrowsError(try LabelSelector.from(["matchExpressions": [["key": "x", "operator": "Near"]]]))
    }
}
