import EdgeAPI
import XCTest
@testable import EdgeNet

final class ProxyRuleSetTests: XCTestCase {
    let settings = ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16")

    func input(_ name: String, ip: String, endpoints: [String]) -> ProxyRuleSet.Input {
        let port = ProxyServicePort.ports(of: ServiceRulesTests.service(name, ip: ip))[0]
        let slice = ServiceRulesTests.slice(endpoints.map { ($0, "node2", true, true, false) }, service: name)
        return .init(port: port, endpoints: ProxyEndpoint.endpoints(for: port, slices: [slice], nodeName: "node1"))
    }

    func testClusterIPsAreDispatchedPerSlash24AndNodePortsComeLast() {
        let r = ProxyRuleSet().build([input("a", ip: "10.43.0.20", endpoints: ["10.42.1.5"]), input("b", ip: "10.43.1.9", endpoints: ["10.42.1.6"])],
                                     hostPorts: [], settings: settings)
        XCTAssertEqual(r.tables["nat"]?["EDGE-SERVICES"], [
            "-d 10.43.0.0/24 -j EDGE-CIP-0A2B00",
            "-d 10.43.1.0/24 -j EDGE-CIP-0A2B01",
            "-m addrtype --dst-type LOCAL -m comment --comment \"edgectl service nodeports; must be last\" -j EDGE-NODEPORTS",
        ])
        XCTAssertEqual(r.tables["nat"]?["EDGE-CIP-0A2B01"]?.count, 1)
        XCTAssertEqual(r.tables["nat"]?["EDGE-MARK-MASQ"], ["-j MARK --or-mark 0x4000"])
        XCTAssertEqual(r.tables["nat"]?["EDGE-POSTROUTING"]?.last, "-m comment --comment \"edgectl service traffic requiring SNAT\" -j MASQUERADE --random-fully")
        for jump in r.jumps { XCTAssertTrue(r.tables[jump.table]?[jump.target] != nil, "jump to a chain that exists: \(jump)") }
    }

    func testPodsLeavingTheClusterNetworkAreMasqueradedButNotPodToPodTraffic() {
        let r = ProxyRuleSet().build([], hostPorts: [], settings: settings)
        XCTAssertEqual(r.tables["nat"]?["EDGE-POD-EGRESS"], [
            "-s 10.42.0.0/16 -d 10.42.0.0/16 -m comment --comment \"edgectl pod-to-pod traffic keeps its addresses\" -j RETURN",
            "-s 10.42.0.0/16 ! -d 224.0.0.0/4 -m comment --comment \"edgectl pod traffic leaving the cluster network\" -j MASQUERADE --random-fully",
        ])
        XCTAssertEqual(ProxyRuleSet().build([], hostPorts: [], settings: ProxySettings(nodeName: "n")).tables["nat"]?["EDGE-POD-EGRESS"], [],
                       "no cluster CIDR known: no egress masquerade")
    }

    /// A host whose FORWARD policy is DROP (Docker sets it) still forwards the cluster's traffic:
    /// kube-proxy's marked and established accepts, and flannel's accept of the pod range both ways,
    /// after the refusals of services without endpoints (a pod's connection to one is refused, not let through).
    func testForwardAcceptsThePodRangeBothWaysAsFlannelDoes() {
        let r = ProxyRuleSet().build([], hostPorts: [], settings: settings)
        XCTAssertEqual(r.tables["filter"]?["EDGE-FORWARD"], [
            "-m comment --comment \"edgectl forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT",
            "-m comment --comment \"edgectl forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-m conntrack --ctstate NEW -j EDGE-SERVICES",
            "-m conntrack --ctstate NEW -j EDGE-EXTERNAL-SERVICES",
            "-s 10.42.0.0/16 -m comment --comment \"edgectl pod traffic out\" -j ACCEPT",
            "-d 10.42.0.0/16 -m comment --comment \"edgectl pod traffic in\" -j ACCEPT",
        ])
        XCTAssertEqual(r.jumps.first { $0.table == "filter" && $0.chain == "FORWARD" }?.target, "EDGE-FORWARD",
                       "the first jump from FORWARD, inserted at its top")
        XCTAssertEqual(ProxyRuleSet().build([], hostPorts: [], settings: ProxySettings(nodeName: "n")).tables["filter"]?["EDGE-FORWARD"]?.count, 2,
                       "no cluster CIDR known: no pod range accepts")
    }

    func testHostPortsDNATToThePodWithHairpinMasquerade() {
        let pod: JSON = ["metadata": ["name": "p", "namespace": "default"],
                         "spec": ["containers": [["name": "c", "ports": [["containerPort": 8080, "hostPort": 18080],
                                                                        ["containerPort": 53, "hostPort": 5353, "protocol": "UDP", "hostIP": "10.250.0.11"],
                                                                        ["containerPort": 9000]]]]],
                         "status": ["podIP": "10.42.0.7", "phase": "Running"]]
        let maps = HostPortMapping.mappings(of: pod)
        XCTAssertEqual(maps.count, 2)
        let r = ProxyRuleSet().build([], hostPorts: maps, settings: settings)
        XCTAssertEqual(r.tables["nat"]?["EDGE-HOSTPORTS"], [
            "-d 10.250.0.11/32 -p udp -m udp --dport 5353 -m comment --comment \"default/p hostport 5353\" -s 10.42.0.7/32 -j EDGE-MARK-MASQ",
            "-d 10.250.0.11/32 -p udp -m udp --dport 5353 -m comment --comment \"default/p hostport 5353\" -j DNAT --to-destination 10.42.0.7:53",
            "-p tcp -m tcp --dport 18080 -m comment --comment \"default/p hostport 18080\" -s 10.42.0.7/32 -j EDGE-MARK-MASQ",
            "-p tcp -m tcp --dport 18080 -m comment --comment \"default/p hostport 18080\" -j DNAT --to-destination 10.42.0.7:8080",
        ])
        var hostNet = pod
        hostNet[path: ["spec", "hostNetwork"]] = true
        XCTAssertEqual(HostPortMapping.mappings(of: hostNet), [], "hostNetwork pods bind the node's ports themselves")
    }

    func testAnUnchangedServiceKeepsItsRulesAndOneChangeRewritesFewChains() throws {
        let builder = ProxyRuleSet()
        var inputs = (0..<600).map { i in input("s\(i)", ip: "10.43.\(i / 250).\(i % 250 + 2)", endpoints: ["10.42.1.\(i % 250 + 1)", "10.42.2.\(i % 250 + 1)"]) }
        let kernel = FakeIPTables()
        let syncer = IPTablesSyncer(client: IPTablesClient(runner: kernel, flavour: .nft))
        _ = try syncer.sync(builder.build(inputs, hostPorts: [], settings: settings), mode: .full)
        inputs[300] = input("s300", ip: "10.43.1.52", endpoints: ["10.42.1.51", "10.42.3.1"])
        let o = try syncer.sync(builder.build(inputs, hostPorts: [], settings: settings), mode: .partial)
        // The service's SVC chain, one new SEP, one removed SEP; the bucket and dispatch chains are untouched.
        XCTAssertEqual(o.chainsWritten, 2, kernel.restores.last ?? "")
        XCTAssertEqual(o.chainsDeleted, 1)
        XCTAssertLessThan(o.inputBytes, 1200)
    }

    func testConntrackFlushesUDPFlowsToRemovedEndpointsAndToServicesThatGotEndpoints() {
        let port = ProxyServicePort.ports(of: ServiceRulesTests.service(ports: [["name": "dns", "port": 53, "protocol": "UDP"]]))[0]
        let e1 = ProxyEndpoint(ip: IPv4Text.parse("10.42.0.5")!, port: 53, ready: true, serving: true, terminating: false, local: true)
        let e2 = ProxyEndpoint(ip: IPv4Text.parse("10.42.0.6")!, port: 53, ready: true, serving: true, terminating: false, local: true)
        XCTAssertEqual(Conntrack.staleFilters(before: ["k": (port, [e1, e2])], after: ["k": (port, [e2])]),
                       [["-p", "udp", "--orig-dst", "10.43.0.20", "--dst-nat", "10.42.0.5"]])
        XCTAssertEqual(Conntrack.staleFilters(before: ["k": (port, [])], after: ["k": (port, [e1])]),
                       [["-p", "udp", "--orig-dst", "10.43.0.20"]])
        var tcp = port
        tcp.proto = "tcp"
        XCTAssertEqual(Conntrack.staleFilters(before: ["k": (tcp, [e1])], after: ["k": (tcp, [])]), [], "TCP needs no flush")
    }
}

extension ProxyRuleSetTests {
    /// The patched rule set is always the one a fresh build gives, through adds, changes, removals,
    /// services losing and gaining endpoints (reject lines), node ports and host ports.
    func testPatchingGivesExactlyWhatAFreshBuildGives() {
        var rng = SystemRandomNumberGenerator()
        let builder = ProxyRuleSet()
        var inputs: [String: ProxyRuleSet.Input] = [:]
        var hostPorts: [HostPortMapping] = []
        for step in 0..<300 {
            let i = Int.random(in: 0..<40, using: &rng)
            let name = "s\(i)"
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: inputs[name] = nil
            case 1:
                var svc = ServiceRulesTests.service(name, type: "NodePort", ip: "10.43.\(i % 3).\(i + 2)",
                                                    ports: [["name": "http", "port": 80, "protocol": "TCP", "nodePort": .int(Int64(30000 + i))]])
                svc[path: ["spec", "externalIPs"]] = [.string("192.0.2.\(i)")]
                let port = ProxyServicePort.ports(of: svc)[0]
                inputs[name] = .init(port: port, endpoints: [])
            case 2:
                hostPorts = Bool.random(using: &rng) ? [] : [HostPortMapping(pod: "default/p\(step)", podIP: 0x0A2A_0007, hostIP: nil, hostPort: 8000 + i,
                                                                             containerPort: 80, proto: "tcp")]
            default:
                let eps = (0..<Int.random(in: 0...3, using: &rng)).map { "10.42.\(i % 4).\($0 + step % 7 + 1)" }
                inputs[name] = input(name, ip: "10.43.\(i % 3).\(i + 2)", endpoints: eps)
            }
            let list = Array(inputs.values)
            let patched = builder.build(list, hostPorts: hostPorts, settings: settings)
            let fresh = ProxyRuleSet().build(list.shuffled(), hostPorts: hostPorts.shuffled(), settings: settings)
            XCTAssertEqual(patched.tables, fresh.tables, "step \(step)")
            if patched.tables != fresh.tables { return }
        }
    }
}
