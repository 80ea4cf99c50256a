import XCTest
@testable import EdgeAPI

/// The labels a node may set on itself: upstream's kubelet label rules.
final class NodeLabelPolicyTests: XCTestCase {
    func testKubeletLabelsAndOwnNamespacesAreAllowed() {
        let keys: Set<String> = ["kubernetes.io/hostname", "kubernetes.io/arch", "beta.kubernetes.io/os", "topology.kubernetes.io/region",
                                 "node.kubernetes.io/instance-type", "node.kubernetes.io/anything", "sub.node.kubernetes.io/x",
                                 "kubelet.kubernetes.io/x", "board", "example.com/disk", "kubernetes.io.example.com/x"]
        XCTAssertEqual(NodeLabelPolicy.forbidden(keys), [])
    }

    func testRestrictedAndUnknownKubernetesLabelsAreRefusedInOrder() {
        let keys: Set<String> = ["node-restriction.kubernetes.io/trusted", "x.node-restriction.kubernetes.io/y", "node-role.kubernetes.io/master",
                                 "k8s.io/x", "sub.k8s.io/y", "kubernetes.io/role", "board"]
        XCTAssertEqual(NodeLabelPolicy.forbidden(keys), ["k8s.io/x", "kubernetes.io/role", "node-restriction.kubernetes.io/trusted",
                                                         "node-role.kubernetes.io/master", "sub.k8s.io/y", "x.node-restriction.kubernetes.io/y"])
    }

    func testModifiedKeysAreAddedRemovedOrChanged() {
        let old: JSON = ["a": "1", "b": "2", "c": "3"]
        let new: JSON = ["a": "1", "b": "changed", "d": "4"]
        XCTAssertEqual(NodeLabelPolicy.modified(new, old), ["b", "c", "d"])
        XCTAssertEqual(NodeLabelPolicy.modified(nil, nil), [])
    }
}
