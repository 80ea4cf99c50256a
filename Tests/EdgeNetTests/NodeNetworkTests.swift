import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeClient
import EdgeInProcess
@testable import EdgeNet

/// NodeNetwork against a fake kernel and a real (in-process) API: what it creates for the
/// node, what it publishes, how it routes to peers, and how it reports a node it cannot set up.
final class NodeNetworkTests: XCTestCase {
    static let nodes = BuiltinResources.nodes
    var dir = ""
    override func setUp() { dir = temporaryDirectory() }
    override func tearDown() { removeTree(dir) }

    func node(_ name: String, cidr: String?, ip: String, backend: FlannelBackend = .vxlan, settings: Bool = true,
              peerAnnotations: [String: String] = [:]) -> JSON {
        var annotations = JSONObject()
        if settings { for (k, v) in ClusterNetworkSettings(backend: backend).annotations { annotations[k] = .string(v) } }
        for (k, v) in peerAnnotations { annotations[k] = .string(v) }
        var n: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "annotations": .object(annotations)],
                       "spec": [:], "status": ["addresses": [["type": "InternalIP", "address": .string(ip)]]]]
        if let cidr { n["spec"] = ["podCIDR": .string(cidr), "podCIDRs": [.string(cidr)]] }
        return n
    }

    func vxlanPeer(_ name: String, cidr: String, ip: String, mac: String) -> JSON {
        node(name, cidr: cidr, ip: ip, peerAnnotations: [FlannelAnnotations.backendType: "vxlan", FlannelAnnotations.publicIP: ip,
                                                         FlannelAnnotations.backendData: "{\"VNI\":1,\"VtepMAC\":\"\(mac)\"}"])
    }

    func start(_ client: APIClient, _ fake: FakeHostNetwork, ip: String = "192.0.2.11") -> (NodeNetwork, Task<Void, Never>) {
        var cfg = NodeNetwork.Config(nodeName: "n1", nodeIP: IPv4Address(ip)!, stateDirectory: dir + "/network",
                                     cniConfigDirectory: dir + "/cni-none", cniBinDirectories: [])
        cfg.resyncInterval = .milliseconds(50)
        let net = NodeNetwork(client: client, config: cfg, ops: fake)
        return (net, Task { await net.run() })
    }

    func testVXLANBackendMakesTheDevicesPublishesItsVTEPAndRoutesToPeers() async throws {
        let c = try await LocalCluster()
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n1", cidr: "10.42.1.0/24", ip: "192.0.2.11"))
        _ = try await c.client.create(Self.nodes, namespace: nil, vxlanPeer("n2", cidr: "10.42.2.0/24", ip: "192.0.2.12", mac: "0e:58:0a:2a:02:00"))
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n3", cidr: "10.42.3.0/24", ip: "192.0.2.13"))
        let fake = FakeHostNetwork()
        let (net, task) = start(c.client, fake)
        defer { task.cancel() }
        try await eventually("ready") { net.readiness().ready }
        XCTAssertEqual(net.readiness().unavailable, .init(status: false, reason: "FlannelIsUp", message: "Flannel is running on this node"))

        let bridge = try XCTUnwrap(fake.named("edge0"))
        XCTAssertEqual(bridge.kind, "bridge")
        XCTAssertEqual(bridge.mtu, 1500, "the uplink's: traffic between this node's pods is never encapsulated")
        XCTAssertEqual(bridge.mac?.description, "0a:58:0a:2a:01:01")
        let vx = try XCTUnwrap(fake.named("edge.1"))
        XCTAssertEqual(vx.vxlan, .init(vni: 1, local: IPv4Address("192.0.2.11")!, port: 8472, device: 2))
        XCTAssertEqual(vx.mtu, 1450)
        let addrs = try fake.addresses()
        XCTAssertTrue(addrs.contains(LinkAddress(index: bridge.index, address: IPv4CIDR("10.42.1.1/24")!)))
        XCTAssertTrue(addrs.contains(LinkAddress(index: vx.index, address: IPv4CIDR("10.42.1.0/32")!)))
        XCTAssertEqual(fake.state.withLock { $0.sysctls["net.ipv4.ip_forward"] }, "1")

        // n2 published its VTEP; n3 has not yet, so nothing routes to it.
        let mac = MACAddress("0e:58:0a:2a:02:00")!
        XCTAssertEqual(Set(try fake.routes(protocol: RouteProtocol.edgectl)),
                       [Route(destination: IPv4CIDR("10.42.2.0/24")!, gateway: IPv4Address("10.42.2.0")!, device: vx.index, onLink: true)])
        XCTAssertEqual(try fake.neighbours(index: vx.index), [NeighbourEntry(ip: IPv4Address("10.42.2.0")!, mac: mac)])
        XCTAssertEqual(try fake.forwardingEntries(index: vx.index), [NeighbourEntry(ip: IPv4Address("192.0.2.12")!, mac: mac)])

        // What this node tells the others.
        try await eventually("n1's annotations") {
            let a = ClusterNetworkSettings.annotations(of: try await c.client.get(Self.nodes, namespace: nil, name: "n1"))
            return a[FlannelAnnotations.backendType] == "vxlan" && a[FlannelAnnotations.publicIP] == "192.0.2.11"
                && a[FlannelAnnotations.backendData] == "{\"VNI\":1,\"VtepMAC\":\"0e:58:0a:2a:01:00\"}"
        }

        // A route removed by hand comes back; a deleted peer's entries go.
        fake.state.withLock { $0.routes.removeAll() }
        try await eventually("the route back") { try fake.routes(protocol: RouteProtocol.edgectl).count == 1 }
        try await c.client.delete(Self.nodes, namespace: nil, name: "n2")
        // Route, neighbour and forwarding entry go one netlink call after another: wait for all
        // three, not for the route alone (the first to go).
        try await eventually("n2's route, neighbour and forwarding entry gone") {
            try fake.routes(protocol: RouteProtocol.edgectl).isEmpty && fake.neighbours(index: vx.index).isEmpty
                && fake.forwardingEntries(index: vx.index).isEmpty
        }
    }

    func testHostGWRoutesViaPeerAddressesOnTheSegment() async throws {
        let c = try await LocalCluster()
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n1", cidr: "10.42.1.0/24", ip: "192.0.2.11", backend: .hostGW))
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n2", cidr: "10.42.2.0/24", ip: "192.0.2.12", backend: .hostGW))
        _ = try await c.client.create(Self.nodes, namespace: nil, node("far", cidr: "10.42.9.0/24", ip: "198.51.100.7", backend: .hostGW))
        let fake = FakeHostNetwork()
        let (net, task) = start(c.client, fake)
        defer { task.cancel() }
        try await eventually("ready") { net.readiness().ready }
        XCTAssertNil(fake.named("edge.1"), "no VXLAN device with host-gw")
        XCTAssertEqual(fake.named("edge0")?.mtu, 1500, "no encapsulation, the uplink's MTU")
        XCTAssertEqual(Set(try fake.routes(protocol: RouteProtocol.edgectl)),
                       [Route(destination: IPv4CIDR("10.42.2.0/24")!, gateway: IPv4Address("192.0.2.12")!, device: 2)],
                       "a peer off this segment cannot be a host-gw next hop")
    }

    func testANodeWithoutVXLANSupportSaysSoAndRecoversOnceItHasIt() async throws {
        let c = try await LocalCluster()
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n1", cidr: "10.42.1.0/24", ip: "192.0.2.11"))
        let fake = FakeHostNetwork()
        fake.state.withLock { $0.unsupportedKinds = ["vxlan"] }
        let (net, task) = start(c.client, fake)
        defer { task.cancel() }
        try await eventually("a reason") { net.readiness().unavailable?.status == true }
        let r = net.readiness()
        XCTAssertFalse(r.ready)
        XCTAssertEqual(r.unavailable?.reason, "NetworkSetupFailed")
        XCTAssertTrue(r.unavailable!.message.contains("no vxlan support") && r.unavailable!.message.contains("modprobe vxlan"), r.unavailable!.message)
        try await eventually("a Warning event on the Node") {
            try await c.client.list(BuiltinResources.events, namespace: "default").items.contains {
                $0["reason"]?.string == "NetworkSetupFailed" && $0[path: ["involvedObject", "kind"]]?.string == "Node"
            }
        }
        do {
            _ = try await net.setUp(PodNetworkRequest(namespace: "d", name: "p", uid: "u", networkNamespace: "/ns"))
            XCTFail("no pod network while the node's is down")
        } catch let e as NetworkNotReady {
            XCTAssertTrue(e.description.contains("no vxlan support"), e.description)
        }
        fake.state.withLock { $0.unsupportedKinds = [] }
        try await eventually("ready after the module is there") { net.readiness().ready }
    }

    func testPodsGetAnAddressAndAVethAndGiveThemBack() async throws {
        let c = try await LocalCluster()
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n1", cidr: "10.42.1.0/24", ip: "192.0.2.11"))
        let fake = FakeHostNetwork()
        // Left by pods deleted while the agent was down: an address file and a veth.
        try PodNetworkFiles.makeDirectories(dir + "/network/ipam/10.42.1.0-24")
        _ = try PodNetworkFiles.createExclusive(dir + "/network/ipam/10.42.1.0-24/10.42.1.7", contents: "gone")
        try fake.addVeth(name: BridgePlan.vethName(podUID: "gone"), master: 0, mtu: 1450, peer: "eth0", peerNamespace: "/x", peerMAC: nil)
        let (net, task) = start(c.client, fake)
        defer { task.cancel() }
        await net.collectGarbage(live: ["kept"])
        XCTAssertFalse(PodNetworkFiles.exists(dir + "/network/ipam/10.42.1.0-24/10.42.1.7"))
        try await eventually("ready") { net.readiness().ready }
        try await eventually("the stale veth gone") { fake.named(BridgePlan.vethName(podUID: "gone")) == nil }

        let req = PodNetworkRequest(namespace: "d", name: "p", uid: "uid-a", networkNamespace: "/pods/a/netns")
        let a = try await net.setUp(req)
        XCTAssertEqual(a.ips, [IPv4Address("10.42.1.2")!])
        let veth = try XCTUnwrap(fake.named(BridgePlan.vethName(podUID: "uid-a")))
        XCTAssertEqual(veth.master, fake.named("edge0")?.index)
        XCTAssertEqual(veth.mtu, 1500, "the uplink's, as the bridge's: same-node traffic is never encapsulated")
        let inside = try XCTUnwrap(fake.state.withLock { $0.podInterfaces["/pods/a/netns"] })
        XCTAssertEqual(inside.address, IPv4CIDR("10.42.1.2/24"))
        XCTAssertEqual(inside.gateway, IPv4Address("10.42.1.1"))
        XCTAssertEqual(inside.routeMTU, 1450, "everything off the node's range leaves by the default route, with VXLAN's 50 bytes off")
        XCTAssertEqual(PodNetworkAttachment(json: a.json), a)
        let b = try await net.setUp(PodNetworkRequest(namespace: "d", name: "q", uid: "uid-b", networkNamespace: "/pods/b/netns"))
        XCTAssertEqual(b.ips, [IPv4Address("10.42.1.3")!])

        try await net.tearDown(req, attachment: a)
        XCTAssertNil(fake.named(veth.name))
        XCTAssertFalse(PodNetworkFiles.exists(dir + "/network/ipam/10.42.1.0-24/10.42.1.2"))
        try await net.tearDown(req, attachment: a)  // twice is fine (a retried deletion)
    }

    func testAClusterRangeOverlappingTheNodesNetworkIsRefused() async throws {
        let c = try await LocalCluster()
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n1", cidr: "10.42.1.0/24", ip: "10.42.200.5"))
        let (net, task) = start(c.client, FakeHostNetwork(uplinkIP: "10.42.200.5"), ip: "10.42.200.5")
        defer { task.cancel() }
        try await eventually("refused") { net.readiness().unavailable?.status == true }
        XCTAssertTrue(net.readiness().message.contains("overlaps this node's network 10.42.200.0/24 on eth0"), net.readiness().message)
    }

    func testWaitsForTheServersSettingsAndRange() async throws {
        let c = try await LocalCluster()
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n1", cidr: nil, ip: "192.0.2.11", settings: false))
        let (net, task) = start(c.client, FakeHostNetwork())
        defer { task.cancel() }
        try await eventually("waiting for settings") { net.readiness().message.contains("cluster's network settings") }
        XCTAssertNil(net.clusterDNS())
        var n = try await c.client.get(Self.nodes, namespace: nil, name: "n1")
        for (k, v) in ClusterNetworkSettings().annotations { n[path: ["metadata", "annotations", k]] = .string(v) }
        _ = try await c.client.update(Self.nodes, n)
        try await eventually("waiting for a range") { net.readiness().message.contains("spec.podCIDR") }
        XCTAssertEqual(net.clusterDNS(), ClusterDNS(server: IPv4Address("10.43.0.10")!, domain: "cluster.local"))
        _ = try await c.client.mergePatch(Self.nodes, namespace: nil, name: "n1", ["spec": ["podCIDR": "10.42.4.0/24"]])
        try await eventually("ready") { net.readiness().ready }
    }
}
