import XCTest
import EdgeAPI
@testable import EdgeRegistry

/// The skew policy: a server refuses a Node whose agent is more than one minor version newer than itself.
final class NodeVersionSkewAdmissionTests: XCTestCase {
    let nodes = BuiltinResources.nodes

    func node(_ kubelet: String) -> AdmissionRequest {
        AdmissionRequest(operation: .create, resource: nodes, namespace: nil, name: "pi-1",
                         object: ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "pi-1"],
                                  "status": ["nodeInfo": ["kubeletVersion": .string(kubelet)]]],
                         context: WriteContext(user: UserInfo(name: "system:node:pi-1", groups: ["system:nodes"])))
    }

    func testAgentsNewerByMoreThanOneMinorAreRefused() throws {
        let a = NodeVersionSkewAdmission(serverVersion: try XCTUnwrap(EdgectlVersion("0.3.2")))
        XCTAssertNil(a.refusal(node("v1.37.0+edgectl-0.3.9")))
        XCTAssertNil(a.refusal(node("v1.37.0+edgectl-0.4.0")), "one minor newer is allowed")
        XCTAssertNil(a.refusal(node("v1.37.0+edgectl-0.1.0")), "older agents are allowed")
        XCTAssertNil(a.refusal(node("v1.34.1")), "other kubelets carry no edgectl build")
        let e = try XCTUnwrap(a.refusal(node("v1.37.0+edgectl-0.5.0")))
        XCTAssertEqual(e.code, 403)
        XCTAssertTrue(e.message.contains("edgectl 0.5.0, more than one minor version newer than this server's 0.3.2: upgrade the servers first"), e.message)
        XCTAssertNotNil(a.refusal(node("v1.37.0+edgectl-1.0.0")))
    }

    func testVersionParsing() {
        XCTAssertEqual(EdgectlVersion(kubeletVersion: "v1.37.0+edgectl-0.2.1")?.description, "0.2.1")
        XCTAssertNil(EdgectlVersion(kubeletVersion: "v1.37.0+k3s1"))
        XCTAssertNil(EdgectlVersion("0.2"))
        XCTAssertNil(EdgectlVersion("0.99999999.1"))
        XCTAssertEqual(EdgectlVersion("0.2.0-rc.1")?.minor, 2)
    }
}
