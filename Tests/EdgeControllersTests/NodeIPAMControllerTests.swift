import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeClient
import EdgeInProcess
@testable import EdgeControllers

final class NodeIPAMControllerTests: XCTestCase {
    let nodes = BuiltinResources.nodes
    let settings = ClusterNetworkSettings(clusterCIDR: IPv4CIDR("10.42.0.0/22")!, backend: .hostGW)

    func node(_ name: String, podCIDR: String? = nil) -> JSON {
        var n: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)], "spec": [:]]
        if let podCIDR { n["spec"] = ["podCIDR": .string(podCIDR), "podCIDRs": [.string(podCIDR)]] }
        return n
    }

    /// A controller manager running only node IPAM against `client`: one "server run".
    func run(_ client: APIClient) throws -> Task<Void, Never> {
        let m = ControllerManager(context: ControllerContext(client: client, informers: SharedInformers(client: client)),
                                  controllers: [try NodeIPAMController(settings: settings)])
        return Task { await m.run() }
    }

    func podCIDRs(_ c: LocalCluster) async throws -> [String: String] {
        var out: [String: String] = [:]
        for n in try await c.client.list(nodes).items {
            if let name = n[path: ["metadata", "name"]]?.string, let cidr = n[path: ["spec", "podCIDR"]]?.string { out[name] = cidr }
        }
        return out
    }

    func testEveryNodeGetsItsOwnRangeAndTheClusterSettings() async throws {
        let c = try await LocalCluster()
        let task = try run(c.client)
        defer { task.cancel() }
        for n in ["a", "b", "c"] { _ = try await c.client.create(nodes, namespace: nil, node(n)) }
        try await eventually("three ranges") { try await self.podCIDRs(c).count == 3 }
        let got = try await podCIDRs(c)
        XCTAssertEqual(Set(got.values).count, 3, "one range per node: \(got)")
        for cidr in got.values { XCTAssertTrue(IPv4CIDR("10.42.0.0/22")!.overlaps(IPv4CIDR(cidr)!)); XCTAssertTrue(cidr.hasSuffix("/24")) }
        let a = try await c.client.get(nodes, namespace: nil, name: "a")
        XCTAssertEqual(a[path: ["spec", "podCIDRs"]], [.string(got["a"]!)])
        XCTAssertEqual(ClusterNetworkSettings(annotations: ClusterNetworkSettings.annotations(of: a)), settings)
    }

    func testADeletedNodesRangeIsReleasedAndExhaustionIsReported() async throws {
        let c = try await LocalCluster()
        let task = try run(c.client)
        defer { task.cancel() }
        for n in ["a", "b", "c", "d"] { _ = try await c.client.create(nodes, namespace: nil, node(n)) }
        try await eventually("four ranges") { try await self.podCIDRs(c).count == 4 }
        _ = try await c.client.create(nodes, namespace: nil, node("e"))
        try await eventually("CIDRNotAvailable event for e") {
            try await c.client.list(BuiltinResources.events, namespace: "default").items.contains {
                $0["reason"]?.string == "CIDRNotAvailable" && $0[path: ["involvedObject", "name"]]?.string == "e"
                    && $0["message"]?.string == "Node e status is now: CIDRNotAvailable"
            }
        }
        // e waits for a range, and gets the one a deleted node gives back.
        let freed = try await podCIDRs(c)["b"]
        try await c.client.delete(nodes, namespace: nil, name: "b")
        try await eventually("e gets the freed range") { try await self.podCIDRs(c)["e"] == freed }
        let events = try await c.client.list(BuiltinResources.events, namespace: "default").items.filter { $0["reason"]?.string == "CIDRNotAvailable" }
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?["count"]?.int, 1, "reported once, not on every look")
    }

    func testARestartedServerNeverHandsOutARangeTwice() async throws {
        let c = try await LocalCluster()
        // Ranges from an earlier run (and one set by hand) are in the store before this run starts.
        _ = try await c.client.create(nodes, namespace: nil, node("old-1", podCIDR: "10.42.0.0/24"))
        _ = try await c.client.create(nodes, namespace: nil, node("old-2", podCIDR: "10.42.2.0/24"))
        let task = try run(c.client)
        defer { task.cancel() }
        for n in ["new-1", "new-2"] { _ = try await c.client.create(nodes, namespace: nil, node(n)) }
        try await eventually("ranges for the new nodes") { try await self.podCIDRs(c).count == 4 }
        let got = try await podCIDRs(c)
        XCTAssertEqual(got["old-1"], "10.42.0.0/24")
        XCTAssertEqual(got["old-2"], "10.42.2.0/24")
        XCTAssertEqual(Set([got["new-1"]!, got["new-2"]!]), ["10.42.1.0/24", "10.42.3.0/24"])

        // A second run over the same store: the restarted controller starts from the Nodes.
        task.cancel()
        try await c.client.delete(nodes, namespace: nil, name: "old-1")
        let again = try run(c.client)
        defer { again.cancel() }
        _ = try await c.client.create(nodes, namespace: nil, node("new-3"))
        try await eventually("a range for new-3") { try await self.podCIDRs(c)["new-3"] != nil }
        let after = try await podCIDRs(c)
        XCTAssertEqual(after["new-3"], "10.42.0.0/24", "the only free range")
    }
}
