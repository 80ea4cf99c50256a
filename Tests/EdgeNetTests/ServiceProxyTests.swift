import EdgeAPI
import EdgeClient
import EdgeInProcess
import Synchronization
import XCTest
import EdgeTestSupport
@testable import EdgeNet

/// The proxy against the in-process API server and a fake kernel: objects in,
/// rules out, changes applied within a moment.
final class ServiceProxyTests: XCTestCase {
    static let services = BuiltinResources.services
    static let slices = BuiltinResources.endpointSlices

    /// Service default/web (port 80 to 8080, no endpoints yet); its ClusterIP.
    static func createWebService(_ cluster: LocalCluster) async throws -> String {
        let svc: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default"],
                         "spec": ["ports": [["name": "http", "port": 80, "targetPort": 8080]]]]
        return try await cluster.client.create(services, namespace: "default", svc)[path: ["spec", "clusterIP"]]?.string ?? ""
    }

    /// One ready endpoint 10.42.0.5 on node1 for default/web.
    static func createWebEndpoint(_ cluster: LocalCluster) async throws {
        var slice = ServiceRulesTests.slice([("10.42.0.5", "node1", true, true, false)])
        slice["apiVersion"] = "discovery.k8s.io/v1"
        slice["kind"] = "EndpointSlice"
        _ = try await cluster.client.create(slices, namespace: "default", slice)
    }

    func testServicesAndSlicesBecomeRulesAndAChangeIsAppliedPartially() async throws {
        let cluster = try await LocalCluster()
        let kernel = FakeIPTables()
        var config = ServiceProxy.Config(settings: ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16"))
        config.coalesce = .milliseconds(10)
        let proxy = ServiceProxy(client: cluster.client, iptables: IPTablesClient(runner: kernel, flavour: .nft), config: config)
        let task = Task { await proxy.run() }
        defer { task.cancel() }

        let cip = try await Self.createWebService(cluster)
        try await eventually("a REJECT for the service without endpoints") {
            (kernel.rules("filter", "EDGE-SERVICES") ?? []).contains { $0.contains("-d \(cip)/32") && $0.hasSuffix("-j REJECT") }
        }
        try await Self.createWebEndpoint(cluster)
        try await eventually("a DNAT to the endpoint") {
            kernel.chains("nat").contains { c in (kernel.rules("nat", c) ?? []).contains { $0.hasSuffix("--to-destination 10.42.0.5:8080") } }
        }
        XCTAssertEqual(kernel.rules("filter", "EDGE-SERVICES"), [])
        XCTAssertTrue((kernel.rules("nat", "PREROUTING") ?? []).contains { $0.hasSuffix("-j EDGE-SERVICES") })
        XCTAssertTrue(kernel.restores.count >= 2)
        XCTAssertFalse(kernel.restores.last!.contains(":EDGE-POSTROUTING"), "a later sync rewrites only what changed:\n\(kernel.restores.last!)")
    }

    /// The nftables mode from objects to the table: a refusal while the service has no
    /// endpoints, then a map element and a DNAT; the iptables mode's leftovers are removed.
    func testTheNftablesModeProgramsItsTableAndRemovesTheIptablesModesChains() async throws {
        let cluster = try await LocalCluster()
        let nft = FakeNFTables()
        let iptables = FakeIPTables()
        iptables.edit("nat") { $0.append((name: "EDGE-SERVICES", rules: [])); $0[0].rules = ["-m comment --comment \"edgectl service portals\" -j EDGE-SERVICES"] }
        let both = BothRunners(nft: nft, iptables: iptables)
        var config = ServiceProxy.Config(settings: ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16"))
        config.coalesce = .milliseconds(10)
        let proxy = ServiceProxy(client: cluster.client, nftables: NFTablesClient(runner: both, table: "edgectl-proxy"), config: config)
        let task = Task { await proxy.run() }
        defer { task.cancel() }

        let cip = try await Self.createWebService(cluster)
        try await eventually("a refusal for the service without endpoints") {
            nft.table?.elements["no-endpoint-services"]?["\(cip) . tcp . 80"] == "goto reject-chain"
        }
        XCTAssertFalse(iptables.chains("nat").contains("EDGE-SERVICES"), "the iptables mode's chains are gone")
        XCTAssertEqual(iptables.rules("nat", "PREROUTING"), [])
        try await Self.createWebEndpoint(cluster)
        try await eventually("a DNAT to the endpoint") {
            (nft.table?.chains.values ?? [:].values).contains { $0.contains("meta l4proto tcp dnat to 10.42.0.5:8080") }
        }
        XCTAssertEqual(nft.table?.elements["no-endpoint-services"], [:])
        XCTAssertNotNil(nft.table?.elements["service-ips"]?["\(cip) . tcp . 80"])
        XCTAssertFalse(nft.scripts.last!.contains("delete table"), "a later sync changes only what changed:\n\(nft.scripts.last!)")
    }

    /// nftables mode on a host whose iptables FORWARD policy is DROP (Docker sets it): an accept in
    /// edgectl's own nftables table cannot overrule a drop in another table, so the pod range's
    /// accepts go into an iptables chain of edgectl's own (EDGE-FORWARD) with one jump from FORWARD,
    /// as flannel's FLANNEL-FWD; a host that forwards anyway gets nothing in iptables.
    func testTheNftablesModeAcceptsTheClustersTrafficWhereTheHostsForwardPolicyIsDrop() async throws {
        for policy in ["DROP", "ACCEPT"] {
            let cluster = try await LocalCluster()
            let nft = FakeNFTables()
            let iptables = FakeIPTables()
            iptables.state.withLock { $0.policies["filter FORWARD"] = policy }
            var config = ServiceProxy.Config(settings: ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16"))
            config.coalesce = .milliseconds(10)
            let proxy = ServiceProxy(client: cluster.client, nftables: NFTablesClient(runner: BothRunners(nft: nft, iptables: iptables), table: "edgectl-proxy"),
                                     config: config)
            let task = Task { await proxy.run() }
            try await eventually("the first sync") { nft.table != nil }
            if policy == "DROP" {
                try await eventually("the forward accepts") { iptables.rules("filter", "EDGE-FORWARD") != nil }
                let rules = iptables.rules("filter", "EDGE-FORWARD") ?? []
                XCTAssertTrue(rules.contains("-s 10.42.0.0/16 -m comment --comment \"edgectl pod traffic out\" -j ACCEPT"), "\(rules)")
                XCTAssertTrue(rules.contains("-d 10.42.0.0/16 -m comment --comment \"edgectl pod traffic in\" -j ACCEPT"), "\(rules)")
                XCTAssertEqual(iptables.rules("filter", "FORWARD")?.first?.hasSuffix("-j EDGE-FORWARD"), true, "\(iptables.rules("filter", "FORWARD") ?? [])")
                XCTAssertEqual(iptables.chains("filter").filter { $0.hasPrefix("EDGE-") }, ["EDGE-FORWARD"], "nothing else of the iptables mode")
                XCTAssertEqual(iptables.chains("nat").filter { $0.hasPrefix("EDGE-") }, [])
            } else {
                try await Task.sleep(for: .milliseconds(200))
                XCTAssertEqual(iptables.chains("filter"), ["INPUT", "FORWARD", "OUTPUT"])
                XCTAssertEqual(iptables.rules("filter", "FORWARD"), [])
            }
            task.cancel()
        }
    }

    /// A node whose iptables cannot be run says so: the proxy's health turns failing (folded into
    /// NetworkUnavailable, so the node is tainted and takes no new pods), a Warning event names the
    /// cause once, and the health comes back when syncs work again.
    func testMissingIptablesIsReportedOnTheNode() async throws {
        let cluster = try await LocalCluster()
        _ = try await cluster.client.create(BuiltinResources.nodes, namespace: nil,
                                            ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node1"]])
        let kernel = SwitchableRunner()
        var config = ServiceProxy.Config(settings: ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16"))
        config.coalesce = .milliseconds(10)
        let changes = Mutex(0)
        config.health.onChange { changes.withLock { $0 += 1 } }
        let proxy = ServiceProxy(client: cluster.client, iptables: IPTablesClient(runner: kernel, flavour: .nft), config: config)
        let task = Task { await proxy.run() }
        defer { task.cancel() }
        try await eventually("the proxy's failure") { if case .failing = config.health.current { return true } else { return false } }
        guard case .failing(let why) = config.health.current else { return }
        XCTAssertTrue(why.contains("is iptables installed?"), why)
        let up = NetworkReadiness(ready: true, unavailable: .init(status: false, reason: "FlannelIsUp", message: ""))
        let readiness = config.health.applied(to: up)
        XCTAssertEqual(readiness.unavailable?.status, true)
        XCTAssertEqual(readiness.unavailable?.reason, "ServiceProxyFailed")
        XCTAssertTrue(readiness.ready, "pods already on the node keep running")
        var events: [JSON] = []
        for _ in 0..<100 {
            events = try await cluster.client.list(BuiltinResources.events, namespace: "default").items
            if !events.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(events.map { $0["reason"]?.string }, ["ServiceProxySyncFailed"])
        XCTAssertEqual(events.first?[path: ["involvedObject", "name"]]?.string, "node1")
        kernel.installed.withLock { $0 = true }
        try await eventually("working again", within: .seconds(15)) { config.health.current == .working }
        XCTAssertEqual(config.health.applied(to: up), up,
                       "a working proxy leaves the pod network's condition as it is")
        XCTAssertGreaterThanOrEqual(changes.withLock { $0 }, 2)
    }
}

/// nft and iptables on one fake host.
final class BothRunners: CommandRunning, Sendable {
    let nft: FakeNFTables
    let iptables: FakeIPTables
    init(nft: FakeNFTables, iptables: FakeIPTables) { self.nft = nft; self.iptables = iptables }
    func run(_ argv: [String], input: String) -> CommandResult? {
        argv.first == "nft" ? nft.run(argv, input: input) : iptables.run(argv, input: input)
    }
}
