import XCTest
import EdgeAPI
import EdgeClient
import EdgeInProcess
@testable import EdgeAgent

/// Preflight's HostnameUnique: a node name another live machine reports as is refused; a stale one is taken over.
final class NodeNameClaimTests: XCTestCase {
    static let nodes = ResourceRegistry.lookup(group: "", version: "v1", plural: "nodes")!
    static let leases = ResourceRegistry.lookup(group: "coordination.k8s.io", version: "v1", plural: "leases")!

    func cluster(machineID: String, renewedSecondsAgo: Int64?) async throws -> APIClient {
        let client = try await LocalCluster().client
        _ = try await client.create(Self.nodes, namespace: nil, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "raspberrypi"],
                                                                  "status": ["nodeInfo": ["machineID": .string(machineID)]]])
        if let ago = renewedSecondsAgo {
            let t = Timestamp(seconds: Timestamp.now().seconds - ago)
            _ = try await client.create(Self.leases, namespace: "kube-node-lease",
                                        ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "raspberrypi", "namespace": "kube-node-lease"],
                                         "spec": ["holderIdentity": "raspberrypi", "renewTime": .string(t.rfc3339Micro)]])
        }
        return client
    }

    func testALiveNodeOfAnotherMachineIsTaken() async throws {
        let client = try await cluster(machineID: "aaaa1111", renewedSecondsAgo: 5)
        let outcome = try await NodeNameClaim(client: client).check(nodeName: "raspberrypi", machineID: "bbbb2222")
        guard case .taken(let why) = outcome else { return XCTFail("expected taken, got \(outcome)") }
        XCTAssertTrue(why.contains("kubectl delete node raspberrypi"), why)
        let mine = try await NodeNameClaim(client: client).check(nodeName: "raspberrypi", machineID: "aaaa1111")
        XCTAssertEqual(mine, .free, "the same machine re-joining keeps its name")
        let other = try await NodeNameClaim(client: client).check(nodeName: "pi-2", machineID: "bbbb2222")
        XCTAssertEqual(other, .free)
    }

    func testAStaleNodeIsTakenOver() async throws {
        let client = try await cluster(machineID: "aaaa1111", renewedSecondsAgo: 3600)
        let outcome = try await NodeNameClaim(client: client).check(nodeName: "raspberrypi", machineID: "bbbb2222")
        guard case .takeover = outcome else { return XCTFail("expected takeover, got \(outcome)") }
    }
}
