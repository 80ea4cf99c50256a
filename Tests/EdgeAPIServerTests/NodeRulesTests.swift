import XCTest
import EdgeAPI
@testable import EdgeAPIServer

final class NodeRulesTests: XCTestCase {
    let node = UserInfo(name: "system:node:pi-1", groups: ["system:nodes", "system:authenticated"])

    func req(_ verb: String, _ resource: String, ns: String? = nil, name: String? = nil, sub: String? = nil, group: String = "") -> RequestInfo {
        RequestInfo(verb: verb, group: group, version: "v1", resource: resource, namespace: ns, name: name, subresource: sub)
    }

    func testNodesWriteOnlyThemselves() {
        XCTAssertTrue(NodeRules.allows(node, req("update", "nodes", name: "pi-1", sub: "status")))
        XCTAssertTrue(NodeRules.allows(node, req("create", "nodes")))
        XCTAssertFalse(NodeRules.allows(node, req("patch", "nodes", name: "pi-2")))
        XCTAssertFalse(NodeRules.allows(node, req("update", "nodes", name: "pi-2", sub: "status")))
        XCTAssertTrue(NodeRules.allows(node, req("update", "leases", ns: "kube-node-lease", name: "pi-1", group: "coordination.k8s.io")))
        XCTAssertFalse(NodeRules.allows(node, req("update", "leases", ns: "kube-node-lease", name: "pi-2", group: "coordination.k8s.io")))
        XCTAssertFalse(NodeRules.allows(node, req("delete", "nodes", name: "pi-1")))
    }

    func testReadsWhatPodsNeedButCannotEnumerateSecrets() {
        XCTAssertTrue(NodeRules.allows(node, req("watch", "pods")))
        XCTAssertTrue(NodeRules.allows(node, req("update", "pods", ns: "default", name: "p", sub: "status")))
        XCTAssertTrue(NodeRules.allows(node, req("get", "secrets", ns: "default", name: "db-password")))
        XCTAssertFalse(NodeRules.allows(node, req("list", "secrets", ns: "default")))
        XCTAssertFalse(NodeRules.allows(node, req("create", "pods", ns: "default")))
        XCTAssertFalse(NodeRules.allows(node, req("delete", "deployments", ns: "default", name: "web", group: "apps")))
        let impostor = UserInfo(name: "system:node:pi-1", groups: ["system:authenticated"])
        XCTAssertFalse(NodeRules.allows(impostor, req("watch", "pods")), "the group, not the name, makes a node")
    }
}
