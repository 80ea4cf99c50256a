import XCTest
import EdgeAPI
@testable import EdgeAuth

/// The Node authorizer's static rules: what a node may ask for at all, with
/// upstream's reasons; per-object checks are NodeRestriction's.
final class NodeRulesTests: XCTestCase {
    func req(_ verb: String, _ resource: String, ns: String? = nil, name: String? = nil, sub: String? = nil, group: String = "") -> RequestInfo {
        RequestInfo(verb: verb, group: group, version: "v1", resource: resource, namespace: ns, name: name, subresource: sub)
    }

    func decide(_ r: RequestInfo) -> NodeRules.Outcome { NodeRules.decide(node: "pi-1", r) }

    func testNodesAndPodsWritesAreLeftToAdmission() {
        XCTAssertEqual(decide(req("update", "nodes", name: "pi-1", sub: "status")), .allow)
        XCTAssertEqual(decide(req("create", "nodes")), .allow)
        XCTAssertEqual(decide(req("patch", "nodes", name: "pi-2")), .allow, "NodeRestriction refuses it with the node's name in the message")
        XCTAssertEqual(decide(req("delete", "nodes", name: "pi-1")), .refuse(""))
        XCTAssertEqual(decide(req("update", "pods", ns: "default", name: "p", sub: "status")), .allow)
        XCTAssertEqual(decide(req("delete", "pods", ns: "default", name: "p")), .allow)
        XCTAssertEqual(decide(req("update", "pods", ns: "default", name: "p")), .refuse(""))
        XCTAssertEqual(decide(req("create", "pods", ns: "default", name: "p", sub: "binding")), .refuse(""))
        XCTAssertEqual(decide(req("create", "pods", ns: "default", name: "p", sub: "eviction")), .allow)
        XCTAssertEqual(decide(req("deletecollection", "pods", ns: "default")), .refuse(""))
    }

    func testLeasesOnlyInTheNodeLeaseNamespaceAndOfTheNodesName() {
        let g = "coordination.k8s.io"
        XCTAssertEqual(decide(req("update", "leases", ns: "kube-node-lease", name: "pi-1", group: g)), .allow)
        XCTAssertEqual(decide(req("create", "leases", ns: "kube-node-lease", group: g)), .allow, "the name is in the body: admission's")
        XCTAssertEqual(decide(req("update", "leases", ns: "kube-node-lease", name: "pi-2", group: g)),
                       .refuse("can only access node lease with the same name as the requesting node"))
        XCTAssertEqual(decide(req("get", "leases", ns: "kube-system", name: "pi-1", group: g)),
                       .refuse("can only access leases in the \"kube-node-lease\" system namespace"))
        XCTAssertEqual(decide(req("list", "leases", ns: "kube-node-lease", group: g)),
                       .refuse("can only get, create, update, patch, or delete a node lease"))
    }

    func testSecretsConfigMapsAndTokensGoThroughTheGraph() {
        XCTAssertEqual(decide(req("get", "secrets", ns: "default", name: "db")), .related(.secret))
        XCTAssertEqual(decide(req("get", "configmaps", ns: "default", name: "cfg")), .related(.configMap))
        XCTAssertEqual(decide(req("list", "secrets", ns: "default")), .refuse("No Object name found"))
        XCTAssertEqual(decide(req("update", "secrets", ns: "default", name: "db")), .refuse("can only read resources of this type"))
        XCTAssertEqual(decide(req("create", "serviceaccounts", ns: "default", name: "default", sub: "token")), .related(.serviceAccount))
        XCTAssertEqual(decide(req("get", "serviceaccounts", ns: "default", name: "default")),
                       .refuse("can only create tokens for individual service accounts"))
    }

    func testReadsWhatPodsNeedAndNothingElse() {
        XCTAssertEqual(decide(req("watch", "pods")), .allow)
        XCTAssertEqual(decide(req("list", "endpointslices", group: "discovery.k8s.io")), .allow)
        XCTAssertEqual(decide(req("list", "endpointslices", group: "example.com")), .refuse(""), "the group counts, not just the name")
        XCTAssertEqual(decide(req("create", "events", ns: "kube-system")), .allow)
        XCTAssertEqual(decide(req("delete", "deployments", ns: "default", name: "web", group: "apps")), .refuse(""))
        XCTAssertEqual(decide(req("list", "services")), .allow)
        XCTAssertEqual(decide(req("update", "services", ns: "default", name: "web")), .refuse(""))
    }

    func testTheGroupAndTheNameMakeANode() {
        XCTAssertEqual(NodeIdentity.nodeName(of: UserInfo(name: "system:node:pi-1", groups: ["system:nodes"])), "pi-1")
        XCTAssertNil(NodeIdentity.nodeName(of: UserInfo(name: "system:node:pi-1", groups: ["system:authenticated"])))
        XCTAssertNil(NodeIdentity.nodeName(of: UserInfo(name: "pi-1", groups: ["system:nodes"])))
    }
}
