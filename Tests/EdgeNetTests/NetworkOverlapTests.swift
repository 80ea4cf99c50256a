import XCTest
import EdgeAPI
@testable import EdgeNet

final class NetworkOverlapTests: XCTestCase {
    let cluster = IPv4CIDR("10.42.0.0/16")!
    let service = IPv4CIDR("10.43.0.0/16")!
    func host(_ name: String, _ cidr: String) -> HostAddress { HostAddress(interface: name, address: IPv4CIDR(cidr)!) }

    func testRangesClearOfTheMachinesNetworksPass() {
        XCTAssertNil(NetworkOverlap.problem(clusterCIDR: cluster, serviceCIDR: service,
                                            host: [host("lo", "127.0.0.1/8"), host("eth0", "192.168.1.20/24"), host("docker0", "172.17.0.1/16")]))
    }

    func testOverlapsAreNamedWithTheFlagInterfaceAndAFix() {
        let p = NetworkOverlap.problem(clusterCIDR: cluster, serviceCIDR: service, host: [host("eth0", "10.42.7.20/24")])
        XCTAssertEqual(p?.hasPrefix("--cluster-cidr 10.42.0.0/16 overlaps this machine's network 10.42.7.0/24 (10.42.7.20 on eth0)"), true, p ?? "")
        let s = NetworkOverlap.problem(clusterCIDR: cluster, serviceCIDR: service, host: [host("wlan0", "10.0.0.5/8")])
        XCTAssertEqual(s?.hasPrefix("--cluster-cidr 10.42.0.0/16 overlaps"), true, "a /8 holds the cluster range: \(s ?? "")")
        let svc = NetworkOverlap.problem(clusterCIDR: cluster, serviceCIDR: service, host: [host("eth0", "10.43.1.1/24")])
        XCTAssertEqual(svc?.hasPrefix("--service-cidr 10.43.0.0/16 overlaps"), true, svc ?? "")
        let both = NetworkOverlap.problem(clusterCIDR: cluster, serviceCIDR: IPv4CIDR("10.42.128.0/17")!, host: [])
        XCTAssertEqual(both?.contains("overlap: pod and service addresses must come from separate ranges"), true, both ?? "")
    }

    func testEdgectlsOwnDevicesAndLoopbackDoNotCount() {
        XCTAssertNil(NetworkOverlap.problem(clusterCIDR: cluster, serviceCIDR: service,
                                            host: [host("edge0", "10.42.3.1/24"), host("edge.1", "10.42.3.0/32"), host("lo", "127.0.0.1/8")]))
    }
}

final class PeerRoutesTests: XCTestCase {
    let own = IPv4CIDR("10.42.1.0/24")!
    let cluster = IPv4CIDR("10.42.0.0/16")!
    func peer(_ cidr: String, _ ip: String, backend: String? = "vxlan", mac: String? = "0e:58:0a:2a:02:00") -> PeerNode {
        PeerNode(name: cidr, podCIDR: IPv4CIDR(cidr)!, publicIP: IPv4Address(ip)!, backend: backend, vtepMAC: mac.flatMap(MACAddress.init))
    }

    func testVXLANNeedsThePeersVTEPAndSkipsItself() {
        let plan = PeerRoutes.plan(backend: .vxlan, clusterCIDR: cluster, ownPodCIDR: own, peers: [peer("10.42.1.0/24", "192.0.2.11"), peer("10.42.2.0/24", "192.0.2.12"),
                                                                             peer("10.42.3.0/24", "192.0.2.13", backend: nil, mac: nil)],
                                   vxlanDevice: 7, uplink: 2)
        XCTAssertEqual(plan.routes, [Route(destination: IPv4CIDR("10.42.2.0/24")!, gateway: IPv4Address("10.42.2.0")!, device: 7, onLink: true)])
        XCTAssertEqual(plan.forwarding, [NeighbourEntry(ip: IPv4Address("192.0.2.12")!, mac: MACAddress("0e:58:0a:2a:02:00")!)])
    }

    func testHostGWRoutesEveryPeerViaItsAddress() {
        let plan = PeerRoutes.plan(backend: .hostGW, clusterCIDR: cluster, ownPodCIDR: own, peers: [peer("10.42.2.0/24", "192.0.2.12", backend: nil, mac: nil)],
                                   vxlanDevice: 0, uplink: 2)
        XCTAssertEqual(plan.routes, [Route(destination: IPv4CIDR("10.42.2.0/24")!, gateway: IPv4Address("192.0.2.12")!, device: 2)])
        XCTAssertTrue(plan.neighbours.isEmpty && plan.forwarding.isEmpty)
    }

    func testRangesOutsideTheClusterOrClaimedTwiceAreNotRouted() {
        let plan = PeerRoutes.plan(backend: .hostGW, clusterCIDR: cluster, ownPodCIDR: own,
                                   peers: [peer("0.0.0.0/1", "192.0.2.66"), peer("10.43.0.0/24", "192.0.2.66"), peer("10.42.0.0/16", "192.0.2.66"),
                                           peer("10.42.1.128/25", "192.0.2.66"),
                                           peer("10.42.5.0/24", "192.0.2.12"), peer("10.42.5.0/24", "192.0.2.66"), peer("10.42.6.0/24", "192.0.2.16")],
                                   vxlanDevice: 0, uplink: 2)
        XCTAssertEqual(plan.routes, [Route(destination: IPv4CIDR("10.42.6.0/24")!, gateway: IPv4Address("192.0.2.16")!, device: 2)])
    }
}
