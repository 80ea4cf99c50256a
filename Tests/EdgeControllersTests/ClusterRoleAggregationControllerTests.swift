import XCTest
import EdgeAPI
@testable import EdgeControllers

final class ClusterRoleAggregationControllerTests: XCTestCase {
    func role(_ name: String, labels: [String: String] = [:], rules: [JSON] = [], selector: String? = nil) -> JSON {
        var l = JSONObject()
        for (k, v) in labels { l[k] = .string(v) }
        var r: JSON = ["metadata": ["name": .string(name), "labels": .object(l)], "rules": .array(rules)]
        if let selector { r["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": [.init(selector): "true"]]]] }
        return r
    }

    func testAggregatedRulesAreTheMatchingRolesRulesInNameOrderOnce() {
        let a: JSON = ["verbs": ["get"], "apiGroups": ["x.io"], "resources": ["widgets"]]
        let b: JSON = ["verbs": ["list"], "apiGroups": [""], "resources": ["pods"]]
        let view = role("view", rules: [b], selector: "agg/view")
        let all = [view, role("zz", labels: ["agg/view": "true"], rules: [a, b]), role("aa", labels: ["agg/view": "true"], rules: [b]),
                   role("other", rules: [a])]
        XCTAssertEqual(ClusterRoleAggregationController.aggregatedRules(for: view, from: all), [b, a])
    }
}
