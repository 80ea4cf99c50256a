import XCTest
@testable import EdgeAuth

final class PolicyRuleTests: XCTestCase {
    func testCoverageFollowsUpstreamWildcards() {
        let star = PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])
        let pods = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
        XCTAssertTrue(star.covers(pods))
        XCTAssertFalse(pods.covers(star))
        let anyScale = PolicyRule(verbs: ["update"], apiGroups: ["apps"], resources: ["*/scale"])
        XCTAssertTrue(anyScale.covers(PolicyRule(verbs: ["update"], apiGroups: ["apps"], resources: ["deployments/scale"])))
        XCTAssertFalse(anyScale.covers(PolicyRule(verbs: ["update"], apiGroups: ["apps"], resources: ["deployments"])))
        let named = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"])
        XCTAssertFalse(named.covers(PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["configmaps"])))
        XCTAssertTrue(PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz/*"]).covers(PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz/etcd"])))
    }

    func testCompactStringIsGoFormatted() {
        let r = PolicyRule(verbs: ["get"], apiGroups: ["", "apps"], resources: ["pods"], resourceNames: ["a\"b"])
        XCTAssertEqual(r.compactString, #"{APIGroups:["" "apps"], Resources:["pods"], ResourceNames:["a\"b"], Verbs:["get"]}"#)
    }
}
