import EdgeAPI
import XCTest
@testable import EdgeNet

final class NFTProxyRuleSetTests: XCTestCase {
    let settings = ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16")

    func input(_ name: String, ip: String, endpoints: [String], node: String = "node2", extra: JSON = [:], type: String = "ClusterIP",
               ports: JSON = [["name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080]]) -> ProxyRuleSet.Input {
        let port = ProxyServicePort.ports(of: ServiceRulesTests.service(name, type: type, ip: ip, extra: extra, ports: ports))[0]
        let slice = ServiceRulesTests.slice(endpoints.map { ($0, node, true, true, false) }, service: name)
        return .init(port: port, endpoints: ProxyEndpoint.endpoints(for: port, slices: [slice], nodeName: "node1"))
    }

    func testAClusterIPIsAMapKeyAndTheEndpointIsPickedByNumgen() {
        let i = input("web", ip: "10.43.0.20", endpoints: ["10.42.1.5", "10.42.2.6"])
        let r = NFTProxyRuleSet().build([i], hostPorts: [], settings: settings)
        let svc = NFTProxyNames.svc(i.port)
        XCTAssertEqual(r.elements["service-ips"], ["10.43.0.20 . tcp . 80": "goto \(svc)"])
        XCTAssertEqual(r.rules[svc], [
            "ip daddr 10.43.0.20 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade",
            "numgen random mod 2 == 0 meta l4proto tcp dnat to 10.42.1.5:8080",
            "meta l4proto tcp dnat to 10.42.2.6:8080",
        ])
        XCTAssertEqual(r.chains.keys.filter { $0.hasPrefix("sep-") }, [], "no chain per endpoint without affinity")
        XCTAssertEqual(r.elements["hairpin-endpoints"], ["10.42.1.5 . 10.42.1.5": "", "10.42.2.6 . 10.42.2.6": ""])
        XCTAssertEqual(r.rules["nat-postrouting"]?[1], "ct status dnat ip saddr . ip daddr @hairpin-endpoints masquerade fully-random")
        XCTAssertEqual(r.rules["services"]?.first, "ip daddr . meta l4proto . th dport vmap @service-ips")
        XCTAssertEqual(r.chains["nat-prerouting"], "{ type nat hook prerouting priority -100 ; policy accept ; }")
        XCTAssertEqual(r.rules["masquerading"], ["meta mark & 0x4000 == 0 return", "meta mark set meta mark ^ 0x4000", "masquerade fully-random"])
        XCTAssertEqual(r.rules["pod-egress"], ["ip saddr 10.42.0.0/16 ip daddr 10.42.0.0/16 return",
                                               "ip saddr 10.42.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random"])
    }

    func testNoEndpointsAreRejectedAndNoLocalEndpointsDropped() {
        let none = input("none", ip: "10.43.0.21", endpoints: [])
        let lb = input("lb", ip: "10.43.0.22", endpoints: ["10.42.2.6"], extra: ["externalTrafficPolicy": "Local"], type: "NodePort",
                       ports: [["name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080]])
        let r = NFTProxyRuleSet().build([none, lb], hostPorts: [], settings: settings)
        XCTAssertEqual(r.elements["no-endpoint-services"], ["10.43.0.21 . tcp . 80": "goto reject-chain"])
        XCTAssertEqual(r.elements["no-endpoint-nodeports"], ["tcp . 30080": "drop"], "endpoints elsewhere only: outside clients are dropped")
        XCTAssertEqual(r.elements["service-nodeports"], ["tcp . 30080": "goto \(NFTProxyNames.ext(lb.port))"])
        XCTAssertEqual(r.rules[NFTProxyNames.ext(lb.port)], [
            "ip saddr 10.42.0.0/16 goto \(NFTProxyNames.svc(lb.port))",
            "fib saddr type local jump mark-for-masquerade",
            "fib saddr type local goto \(NFTProxyNames.svc(lb.port))",
        ], "pods and the node use any endpoint; outside clients none here")
        XCTAssertEqual(r.rules["reject-chain"], ["reject"])
    }

    func testSessionAffinityRemembersTheClientPerEndpoint() {
        let i = input("sticky", ip: "10.43.0.30", endpoints: ["10.42.2.6"], extra: ["sessionAffinity": "ClientIP"])
        let r = NFTProxyRuleSet().build([i], hostPorts: [], settings: settings)
        let e = i.endpoints[0]
        let set = NFTProxyNames.affinity(i.port, e, seconds: 10800)
        XCTAssertEqual(r.sets[set], "set { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }")
        XCTAssertEqual(r.rules[NFTProxyNames.svc(i.port)]?[1], "ip saddr @\(set) goto \(NFTProxyNames.sep(i.port, e))")
        XCTAssertEqual(r.rules[NFTProxyNames.svc(i.port)]?[2], "goto \(NFTProxyNames.sep(i.port, e))")
        XCTAssertEqual(r.rules[NFTProxyNames.sep(i.port, e)], ["update @\(set) { ip saddr }", "meta l4proto tcp dnat to 10.42.2.6:8080"])
    }

    func testAKeyTwoServicesClaimGoesToTheFirstAndToTheOtherWhenItLeaves() {
        let a = input("a", ip: "10.43.0.40", endpoints: ["10.42.2.6"], extra: ["externalIPs": ["192.0.2.5"]])
        let b = input("b", ip: "10.43.0.41", endpoints: ["10.42.2.7"], extra: ["externalIPs": ["192.0.2.5"]])
        let builder = NFTProxyRuleSet()
        var r = builder.build([b, a], hostPorts: [], settings: settings)
        XCTAssertEqual(r.elements["service-ips"]?["192.0.2.5 . tcp . 80"], "goto \(NFTProxyNames.ext(a.port))")
        r = builder.build([b], hostPorts: [], settings: settings)
        XCTAssertEqual(r.elements["service-ips"]?["192.0.2.5 . tcp . 80"], "goto \(NFTProxyNames.ext(b.port))")
    }

    func testOneChangedServiceAmongManyIsOneSmallTransaction() throws {
        let builder = NFTProxyRuleSet()
        var inputs = (0..<600).map { i in input("s\(i)", ip: "10.43.\(i / 250).\(i % 250 + 2)", endpoints: ["10.42.1.\(i % 250 + 1)", "10.42.2.\(i % 250 + 1)"]) }
        let kernel = FakeNFTables()
        let syncer = NFTablesSyncer(client: NFTablesClient(runner: kernel, table: NFTProxyNames.table))
        _ = try syncer.sync(builder.build(inputs, hostPorts: [], settings: settings), mode: .full)
        inputs[300] = input("s300", ip: "10.43.1.52", endpoints: ["10.42.1.51", "10.42.3.1"])
        let o = try syncer.sync(builder.build(inputs, hostPorts: [], settings: settings), mode: .partial)
        let script = kernel.scripts.last ?? ""
        // The service's chain rewritten; the new endpoint's hairpin element added (the old one is
        // another service's endpoint too, so it stays); no dispatch map touched.
        XCTAssertEqual(o.chainsWritten, 1, script)
        XCTAssertEqual(o.chainsDeleted, 0, script)
        XCTAssertEqual(o.elementsChanged, 1, script)
        XCTAssertLessThan(o.inputBytes, 600, script)
        XCTAssertFalse(script.contains("table"), "no table-wide statement: \(script)")
        XCTAssertEqual(kernel.table?.chains.count, syncer.applied.chains.count)
    }

    /// Through adds, changes, removals, services losing and gaining endpoints, node ports,
    /// shared external IPs and host ports, the patched content equals a fresh build, and the
    /// partial transactions leave the (fake) kernel exactly as a full sync of it would.
    func testPatchingAndPartialSyncsGiveExactlyWhatAFreshFullSyncGives() throws {
        var rng = SystemRandomNumberGenerator()
        let builder = NFTProxyRuleSet()
        let kernel = FakeNFTables()
        let syncer = NFTablesSyncer(client: NFTablesClient(runner: kernel, table: NFTProxyNames.table))
        var inputs: [String: ProxyRuleSet.Input] = [:]
        var hostPorts: [HostPortMapping] = []
        for step in 0..<300 {
            let i = Int.random(in: 0..<40, using: &rng)
            let name = "s\(i)"
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: inputs[name] = nil
            case 1:
                let eps = (0..<Int.random(in: 0...2, using: &rng)).map { "10.42.\(i % 4).\($0 + step % 5 + 1)" }
                inputs[name] = input(name, ip: "10.43.\(i % 3).\(i + 2)", endpoints: eps, node: Bool.random(using: &rng) ? "node1" : "node2",
                                     extra: ["externalIPs": [.string("192.0.2.\(i % 5)")], "externalTrafficPolicy": Bool.random(using: &rng) ? "Local" : "Cluster",
                                             "sessionAffinity": Bool.random(using: &rng) ? "ClientIP" : "None"],
                                     type: "NodePort", ports: [["name": "http", "port": 80, "protocol": "TCP", "nodePort": .int(Int64(30000 + i % 7))]])
            case 2:
                hostPorts = Bool.random(using: &rng) ? [] : [HostPortMapping(pod: "default/p\(step)", podIP: 0x0A2A_0007, hostIP: nil, hostPort: 8000 + i,
                                                                             containerPort: 80, proto: "tcp")]
            default:
                let eps = (0..<Int.random(in: 0...3, using: &rng)).map { "10.42.\(i % 4).\($0 + step % 7 + 1)" }
                inputs[name] = input(name, ip: "10.43.\(i % 3).\(i + 2)", endpoints: eps)
            }
            let list = Array(inputs.values)
            let patched = builder.build(list, hostPorts: hostPorts, settings: settings)
            let fresh = NFTProxyRuleSet().build(list.shuffled(), hostPorts: hostPorts.shuffled(), settings: settings)
            XCTAssertEqual(patched, fresh, "step \(step)")
            do {
                _ = try syncer.sync(patched, mode: step == 0 ? .full : .partial)
            } catch {
                XCTFail("step \(step): \(error)\n\(kernel.scripts.last ?? "")")
                return
            }
            let other = FakeNFTables()
            _ = try NFTablesSyncer(client: NFTablesClient(runner: other, table: NFTProxyNames.table)).sync(fresh, mode: .full)
            if kernel.table != other.table {
                let a = kernel.table ?? .init(), b = other.table ?? .init()
                let chains = Set(a.chains.keys).union(b.chains.keys).filter { a.chains[$0] != b.chains[$0] }.map { "\($0): \(a.chains[$0] ?? []) vs \(b.chains[$0] ?? [])" }
                let sets = Set(a.sets.keys).symmetricDifference(b.sets.keys)
                let elements = Set(a.elements.keys).union(b.elements.keys).flatMap { m in
                    Set((a.elements[m] ?? [:]).keys).union((b.elements[m] ?? [:]).keys).filter { a.elements[m]?[$0] != b.elements[m]?[$0] }
                        .map { "\(m) \($0): \(a.elements[m]?[$0] ?? "-") vs \(b.elements[m]?[$0] ?? "-")" }
                }
                XCTFail("step \(step), partial vs full: chains \(chains) sets \(sets) elements \(elements)\nlast script:\n\(kernel.scripts.last ?? "")")
            }
            if patched != fresh || kernel.table != other.table { return }
        }
    }

    func testHostPortsDNATToThePodWithHairpinMasquerade() {
        let m = HostPortMapping(pod: "default/p", podIP: IPv4Text.parse("10.42.0.7")!, hostIP: IPv4Text.parse("10.250.0.11"), hostPort: 5353,
                                containerPort: 53, proto: "udp")
        let r = NFTProxyRuleSet().build([], hostPorts: [m], settings: settings)
        XCTAssertEqual(r.rules["hostports"], [
            "ip daddr 10.250.0.11 meta l4proto udp th dport 5353 ip saddr 10.42.0.7 jump mark-for-masquerade",
            "ip daddr 10.250.0.11 meta l4proto udp th dport 5353 dnat to 10.42.0.7:53",
        ])
        XCTAssertEqual(r.rules["nat-output"], ["fib daddr type local jump hostports", "jump services"])
    }
}
