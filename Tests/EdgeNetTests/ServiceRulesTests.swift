import EdgeAPI
import XCTest
@testable import EdgeNet

/// Golden rules per service shape, with the hashed chain names shown as
/// SVC/SVL/EXT/SEP(address) so the text reads like kube-proxy's.
final class ServiceRulesTests: XCTestCase {
    let settings = ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16")

    static func service(_ name: String = "web", type: String = "ClusterIP", ip: String = "10.43.0.20", extra: JSON = [:],
                        ports: JSON = [["name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080]]) -> JSON {
        var spec: JSON = ["type": .string(type), "clusterIP": .string(ip), "ports": ports]
        if let o = extra.object { for (k, v) in o { spec[k] = v } }
        return ["metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
    }

    static func slice(_ eps: [(String, String, Bool, Bool, Bool)], service: String = "web", port: Int64 = 8080, name: String = "http",
                      proto: String = "TCP") -> JSON {
        ["metadata": ["name": .string(service + "-x"), "namespace": "default", "labels": ["kubernetes.io/service-name": .string(service)]],
         "addressType": "IPv4", "ports": [["name": .string(name), "port": .int(port), "protocol": .string(proto)]],
         "endpoints": .array(eps.map { ip, node, ready, serving, terminating in
             ["addresses": [.string(ip)], "nodeName": .string(node),
              "conditions": ["ready": .bool(ready), "serving": .bool(serving), "terminating": .bool(terminating)]]
         })]
    }

    func render(_ svc: JSON, _ slices: [JSON]) -> String {
        let port = ProxyServicePort.ports(of: svc)[0]
        let eps = ProxyEndpoint.endpoints(for: port, slices: slices, nodeName: settings.nodeName)
        let c = ServiceRules.build(port, eps, settings)
        var names: [String: String] = [ProxyChains.svc(port): "SVC", ProxyChains.svl(port): "SVL", ProxyChains.ext(port): "EXT"]
        for e in eps { names[ProxyChains.sep(port, e)] = "SEP(\(e.address))" }
        func sym(_ s: String) -> String {
            var out = s
            for (k, v) in names { out = out.replacing(k, with: v) }
            return out
        }
        var lines: [String] = []
        if let (bucket, rule) = c.clusterIPRule { lines.append("\(bucket): \(sym(rule))") }
        for r in c.natServices { lines.append("nat SERVICES: \(sym(r))") }
        for r in c.natNodePorts { lines.append("nat NODEPORTS: \(sym(r))") }
        for r in c.filterServices { lines.append("filter SERVICES: \(sym(r))") }
        for r in c.filterExternal { lines.append("filter EXTERNAL: \(sym(r))") }
        for (name, rules) in c.natChains.map({ (sym($0.key), $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            for r in rules { lines.append("\(name): \(sym(r))") }
        }
        return lines.joined(separator: "\n")
    }

    func testClusterIPSpreadsOverReadyEndpointsWithKubeProxysProbabilities() {
        let got = render(Self.service(), [Self.slice([("10.42.0.5", "node1", true, true, false), ("10.42.1.5", "node2", true, true, false),
                                                      ("10.42.2.5", "node3", true, true, false), ("10.42.2.6", "node3", false, false, false)])])
        XCTAssertEqual(got, """
        EDGE-CIP-0A2B00: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j SVC
        SEP(10.42.0.5:8080): -s 10.42.0.5/32 -m comment --comment "default/web:http" -j EDGE-MARK-MASQ
        SEP(10.42.0.5:8080): -p tcp -m tcp -m comment --comment "default/web:http" -j DNAT --to-destination 10.42.0.5:8080
        SEP(10.42.1.5:8080): -s 10.42.1.5/32 -m comment --comment "default/web:http" -j EDGE-MARK-MASQ
        SEP(10.42.1.5:8080): -p tcp -m tcp -m comment --comment "default/web:http" -j DNAT --to-destination 10.42.1.5:8080
        SEP(10.42.2.5:8080): -s 10.42.2.5/32 -m comment --comment "default/web:http" -j EDGE-MARK-MASQ
        SEP(10.42.2.5:8080): -p tcp -m tcp -m comment --comment "default/web:http" -j DNAT --to-destination 10.42.2.5:8080
        SVC: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 ! -s 10.42.0.0/16 -m comment --comment "default/web:http cluster IP" -j EDGE-MARK-MASQ
        SVC: -m comment --comment "default/web:http -> 10.42.0.5:8080" -m statistic --mode random --probability 0.3333333333 -j SEP(10.42.0.5:8080)
        SVC: -m comment --comment "default/web:http -> 10.42.1.5:8080" -m statistic --mode random --probability 0.5000000000 -j SEP(10.42.1.5:8080)
        SVC: -m comment --comment "default/web:http -> 10.42.2.5:8080" -j SEP(10.42.2.5:8080)
        """)
    }

    func testNoEndpointsRejectsAtOnceInsteadOfDroppingIntoATimeout() {
        XCTAssertEqual(render(Self.service(), []), """
        filter SERVICES: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http has no endpoints" -j REJECT
        """)
        XCTAssertEqual(render(Self.service(), [Self.slice([("10.42.0.5", "node1", false, false, false)])]),
                       render(Self.service(), []), "an endpoint that is not ready is no endpoint")
    }

    func testNodePortAndLoadBalancerIPsGoThroughTheExternalChainWithMasquerade() {
        var svc = Self.service(type: "LoadBalancer", ports: [["name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080, "nodePort": 30080]])
        svc["status"] = ["loadBalancer": ["ingress": [["ip": "10.250.0.11", "ipMode": "VIP"], ["ip": "10.250.0.12", "ipMode": "VIP"]]]]
        let got = render(svc, [Self.slice([("10.42.1.5", "node2", true, true, false)])])
        XCTAssertEqual(got, """
        EDGE-CIP-0A2B00: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j SVC
        nat SERVICES: -d 10.250.0.11/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http loadbalancer IP" -j EXT
        nat SERVICES: -d 10.250.0.12/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http loadbalancer IP" -j EXT
        nat NODEPORTS: -p tcp -m tcp --dport 30080 -m comment --comment "default/web:http" -j EXT
        EXT: -m comment --comment "masquerade traffic for default/web:http external destinations" -j EDGE-MARK-MASQ
        EXT: -j SVC
        SEP(10.42.1.5:8080): -s 10.42.1.5/32 -m comment --comment "default/web:http" -j EDGE-MARK-MASQ
        SEP(10.42.1.5:8080): -p tcp -m tcp -m comment --comment "default/web:http" -j DNAT --to-destination 10.42.1.5:8080
        SVC: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 ! -s 10.42.0.0/16 -m comment --comment "default/web:http cluster IP" -j EDGE-MARK-MASQ
        SVC: -m comment --comment "default/web:http -> 10.42.1.5:8080" -j SEP(10.42.1.5:8080)
        """)
    }

    func testANodePortWithoutEndpointsIsRejectedOnTheNodesAddresses() {
        let svc = Self.service(type: "NodePort", ports: [["name": "http", "port": 80, "protocol": "UDP", "nodePort": 30053]])
        XCTAssertEqual(render(svc, []), """
        filter SERVICES: -d 10.43.0.20/32 -p udp -m udp --dport 80 -m comment --comment "default/web:http has no endpoints" -j REJECT
        filter EXTERNAL: -m addrtype --dst-type LOCAL -p udp -m udp --dport 30053 -m comment --comment "default/web:http has no endpoints" -j REJECT
        """)
    }

    func testExternalTrafficPolicyLocalKeepsTheClientAddressAndUsesLocalEndpointsOnly() {
        let svc = Self.service(type: "NodePort", extra: ["externalTrafficPolicy": "Local"],
                               ports: [["name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080]])
        let got = render(svc, [Self.slice([("10.42.0.5", "node1", true, true, false), ("10.42.1.5", "node2", true, true, false)])])
        XCTAssertEqual(got, """
        EDGE-CIP-0A2B00: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j SVC
        nat NODEPORTS: -p tcp -m tcp --dport 30080 -m comment --comment "default/web:http" -j EXT
        EXT: -s 10.42.0.0/16 -m comment --comment "pod traffic for default/web:http external destinations" -j SVC
        EXT: -m addrtype --src-type LOCAL -m comment --comment "masquerade LOCAL traffic for default/web:http external destinations" -j EDGE-MARK-MASQ
        EXT: -m addrtype --src-type LOCAL -m comment --comment "route LOCAL traffic for default/web:http external destinations" -j SVC
        EXT: -j SVL
        SEP(10.42.0.5:8080): -s 10.42.0.5/32 -m comment --comment "default/web:http" -j EDGE-MARK-MASQ
        SEP(10.42.0.5:8080): -p tcp -m tcp -m comment --comment "default/web:http" -j DNAT --to-destination 10.42.0.5:8080
        SEP(10.42.1.5:8080): -s 10.42.1.5/32 -m comment --comment "default/web:http" -j EDGE-MARK-MASQ
        SEP(10.42.1.5:8080): -p tcp -m tcp -m comment --comment "default/web:http" -j DNAT --to-destination 10.42.1.5:8080
        SVC: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 ! -s 10.42.0.0/16 -m comment --comment "default/web:http cluster IP" -j EDGE-MARK-MASQ
        SVC: -m comment --comment "default/web:http -> 10.42.0.5:8080" -m statistic --mode random --probability 0.5000000000 -j SEP(10.42.0.5:8080)
        SVC: -m comment --comment "default/web:http -> 10.42.1.5:8080" -j SEP(10.42.1.5:8080)
        SVL: -m comment --comment "default/web:http -> 10.42.0.5:8080" -j SEP(10.42.0.5:8080)
        """)
    }

    func testExternalTrafficPolicyLocalWithoutALocalEndpointDropsOutsideTraffic() {
        let svc = Self.service(type: "NodePort", extra: ["externalTrafficPolicy": "Local"],
                               ports: [["name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080]])
        let got = render(svc, [Self.slice([("10.42.1.5", "node2", true, true, false)])])
        XCTAssertTrue(got.contains("filter EXTERNAL: -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -m comment --comment \"default/web:http has no local endpoints\" -j DROP"), got)
        XCTAssertTrue(got.contains("nat NODEPORTS: -p tcp -m tcp --dport 30080 -m comment --comment \"default/web:http\" -j EXT"), "pods and the node still reach it: \(got)")
        XCTAssertFalse(got.contains("EXT: -j SVL"), got)
    }

    func testInternalTrafficPolicyLocalSendsClusterIPTrafficToThisNodesEndpointsOnly() {
        let svc = Self.service(extra: ["internalTrafficPolicy": "Local"])
        XCTAssertEqual(render(svc, [Self.slice([("10.42.0.5", "node1", true, true, false), ("10.42.1.5", "node2", true, true, false)])]), """
        EDGE-CIP-0A2B00: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j SVL
        SEP(10.42.0.5:8080): -s 10.42.0.5/32 -m comment --comment "default/web:http" -j EDGE-MARK-MASQ
        SEP(10.42.0.5:8080): -p tcp -m tcp -m comment --comment "default/web:http" -j DNAT --to-destination 10.42.0.5:8080
        SVL: -m comment --comment "default/web:http -> 10.42.0.5:8080" -j SEP(10.42.0.5:8080)
        """)
        XCTAssertEqual(render(svc, [Self.slice([("10.42.1.5", "node2", true, true, false)])]), """
        filter SERVICES: -d 10.43.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment "default/web:http has no local endpoints" -j DROP
        """)
    }

    func testSessionAffinityChecksTheClientsEndpointFirstAndRemembersIt() {
        let svc = Self.service(extra: ["sessionAffinity": "ClientIP", "sessionAffinityConfig": ["clientIP": ["timeoutSeconds": 600]]])
        let got = render(svc, [Self.slice([("10.42.0.5", "node1", true, true, false), ("10.42.1.5", "node2", true, true, false)])])
        XCTAssertTrue(got.contains("SVC: -m comment --comment \"default/web:http -> 10.42.0.5:8080\" -m recent --name SEP(10.42.0.5:8080) --rcheck --seconds 600 --reap -j SEP(10.42.0.5:8080)"), got)
        XCTAssertTrue(got.contains("SEP(10.42.1.5:8080): -p tcp -m tcp -m comment --comment \"default/web:http\" -m recent --name SEP(10.42.1.5:8080) --set -j DNAT --to-destination 10.42.1.5:8080"), got)
        let lines = got.split(separator: "\n").filter { $0.hasPrefix("SVC: ") }
        XCTAssertTrue(lines[1].contains("--rcheck") && lines[2].contains("--rcheck") && lines[3].contains("statistic"), "affinity checks come before the random pick")
    }

    func testTerminatingEndpointsServeOnlyWhenNoneIsReady() {
        let both = render(Self.service(), [Self.slice([("10.42.0.5", "node1", true, true, false), ("10.42.0.6", "node1", false, true, true)])])
        XCTAssertFalse(both.contains("10.42.0.6"), "a ready endpoint exists: the terminating one gets nothing new")
        let onlyTerminating = render(Self.service(), [Self.slice([("10.42.0.6", "node1", false, true, true), ("10.42.0.7", "node1", false, false, true)])])
        XCTAssertTrue(onlyTerminating.contains("SVC: -m comment --comment \"default/web:http -> 10.42.0.6:8080\" -j SEP(10.42.0.6:8080)"), onlyTerminating)
        XCTAssertFalse(onlyTerminating.contains("10.42.0.7"), "terminating and no longer serving: never used")
    }

    func testExternalIPsAndHeadlessAndExternalNameServices() {
        let svc = Self.service(extra: ["externalIPs": ["192.0.2.7"]])
        XCTAssertTrue(render(svc, [Self.slice([("10.42.0.5", "node1", true, true, false)])])
            .contains("nat SERVICES: -d 192.0.2.7/32 -p tcp -m tcp --dport 80 -m comment --comment \"default/web:http external IP\" -j EXT"))
        XCTAssertEqual(ProxyServicePort.ports(of: Self.service(ip: "None")), [], "headless: DNS only")
        XCTAssertEqual(ProxyServicePort.ports(of: Self.service(type: "ExternalName", ip: "")), [])
        var other = Self.service()
        other[path: ["metadata", "labels"]] = ["service.kubernetes.io/service-proxy-name": "someone-else"]
        XCTAssertEqual(ProxyServicePort.ports(of: other), [])
    }

    func testSlicePortsAreMatchedByNameAndProtocol() {
        let svc = Self.service(ports: [["name": "dns", "port": 53, "protocol": "UDP"], ["name": "dns-tcp", "port": 53, "protocol": "TCP"]])
        let ports = ProxyServicePort.ports(of: svc)
        let slice: JSON = ["metadata": ["labels": ["kubernetes.io/service-name": "web"]], "addressType": "IPv4",
                           "ports": [["name": "dns", "port": 10053, "protocol": "UDP"], ["name": "dns-tcp", "port": 10054, "protocol": "TCP"]],
                           "endpoints": [["addresses": ["10.250.0.11"], "nodeName": "node1"]]]
        XCTAssertEqual(ProxyEndpoint.endpoints(for: ports[0], slices: [slice], nodeName: "node1").map(\.address), ["10.250.0.11:10053"])
        XCTAssertEqual(ProxyEndpoint.endpoints(for: ports[1], slices: [slice], nodeName: "node1").map(\.address), ["10.250.0.11:10054"])
        XCTAssertEqual(ProxyEndpoint.endpoints(for: ports[1], slices: [slice], nodeName: "node1").first?.local, true)
    }

    func testProbabilityFormatting() {
        XCTAssertEqual(ProxyChains.probability(2), "0.5000000000")
        XCTAssertEqual(ProxyChains.probability(3), "0.3333333333")
        XCTAssertEqual(ProxyChains.probability(7), "0.1428571429")
        XCTAssertEqual(ProxyChains.probability(1), "1.0000000000")
    }

    func testChainNamesAreStableDistinctAndWithinIptablesLimits() {
        let a = ProxyServicePort.ports(of: Self.service("a"))[0], b = ProxyServicePort.ports(of: Self.service("b"))[0]
        XCTAssertEqual(ProxyChains.svc(a), ProxyChains.svc(a))
        XCTAssertNotEqual(ProxyChains.svc(a), ProxyChains.svc(b))
        XCTAssertTrue(ChainOwnership.owns(ProxyChains.svc(a)) && ChainOwnership.owns(ProxyChains.ext(a)))
        XCTAssertEqual(ProxyChains.bucket(IPv4Text.parse("10.43.7.200")!), "EDGE-CIP-0A2B07")
        XCTAssertEqual(ProxyRuleSet.bucketNetwork("EDGE-CIP-0A2B07"), "10.43.7.0/24")
    }
}

extension ServiceRulesTests {
    func testNamesThatCouldBreakTheRestoreInputAreNeutralisedInComments() {
        let svc = ServiceRulesTests.service(ports: [["name": "a\" -j ACCEPT\nCOMMIT", "port": 80, "protocol": "TCP"]])
        let port = ProxyServicePort.ports(of: svc)[0]
        let c = ServiceRules.build(port, [], settings)
        XCTAssertEqual(c.filterServices, ["-d 10.43.0.20/32 -p tcp -m tcp --dport 80 -m comment --comment \"default/web:a__-j_ACCEPT_COMMIT has no endpoints\" -j REJECT"])
    }
}
