import XCTest
import EdgeAPI
@testable import EdgeNet

final class PodDNSConfigTests: XCTestCase {
    let cluster = ClusterDNS(server: IPv4Address("10.43.0.10")!, domain: "cluster.local")
    let host = ResolvConf.parse("""
        # generated
        nameserver 192.168.1.1
        nameserver 192.168.1.2
        search home.lan. corp.example
        options edns0 attempts:3
        """)

    func pod(_ spec: JSON, ns: String = "shop") -> JSON { ["metadata": ["name": "p", "namespace": .string(ns)], "spec": spec] }

    func testParsesTheNodesFileAsKubeletDoes() {
        XCTAssertEqual(host.nameservers, ["192.168.1.1", "192.168.1.2"])
        XCTAssertEqual(host.searches, ["home.lan", "corp.example"], "trailing dots dropped")
        XCTAssertEqual(host.options, ["edns0", "attempts:3"])
        let last = ResolvConf.parse("search a\nsearch b c\noptions x\noptions y\n")
        XCTAssertEqual(last.searches, ["b", "c"], "the last search line wins")
        XCTAssertEqual(last.options, ["y"])
    }

    func testClusterFirstPointsAtTheClusterDNSWithTheNamespaceSearchPath() {
        let r = PodDNSConfig.compose(pod: pod([:]), cluster: cluster, host: host)
        XCTAssertEqual(r.resolvConf.render(), """
            search shop.svc.cluster.local svc.cluster.local cluster.local home.lan corp.example
            nameserver 10.43.0.10
            options ndots:5

            """)
        XCTAssertEqual(r.warnings, [])
    }

    func testDefaultAndHostNetworkFallBackToTheNode() {
        let d = PodDNSConfig.compose(pod: pod(["dnsPolicy": "Default"]), cluster: cluster, host: host)
        XCTAssertEqual(d.resolvConf, host)
        let hn = PodDNSConfig.compose(pod: pod(["hostNetwork": true]), cluster: cluster, host: host)
        XCTAssertEqual(hn.resolvConf, host, "ClusterFirst on the host network means Default")
        let withHostNet = PodDNSConfig.compose(pod: pod(["hostNetwork": true, "dnsPolicy": "ClusterFirstWithHostNet"]), cluster: cluster, host: host)
        XCTAssertEqual(withHostNet.resolvConf.nameservers, ["10.43.0.10"])
    }

    func testNoneTakesOnlyDnsConfigAndDnsConfigMergesOtherwise() {
        let none = PodDNSConfig.compose(pod: pod(["dnsPolicy": "None", "dnsConfig": [
            "nameservers": ["1.1.1.1"], "searches": ["a.example"], "options": [["name": "ndots", "value": "2"], ["name": "edns0"]]]]),
                                        cluster: cluster, host: host)
        XCTAssertEqual(none.resolvConf, ResolvConf(nameservers: ["1.1.1.1"], searches: ["a.example"], options: ["ndots:2", "edns0"]))
        let merged = PodDNSConfig.compose(pod: pod(["dnsConfig": [
            "nameservers": ["10.43.0.10", "9.9.9.9"], "searches": ["svc.cluster.local", "extra.example"],
            "options": [["name": "ndots", "value": "1"], ["name": "single-request-reopen"]]]]), cluster: cluster, host: host)
        XCTAssertEqual(merged.resolvConf.nameservers, ["10.43.0.10", "9.9.9.9"], "duplicates dropped")
        XCTAssertEqual(merged.resolvConf.searches.last, "extra.example")
        XCTAssertEqual(merged.resolvConf.searches.filter { $0 == "svc.cluster.local" }.count, 1)
        XCTAssertEqual(merged.resolvConf.options, ["ndots:1", "single-request-reopen"], "the pod's ndots replaces the default")
    }

    func testLimitsCutAndWarnAsUpstream() {
        let many = PodDNSConfig.compose(pod: pod(["dnsPolicy": "None", "dnsConfig": [
            "nameservers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"],
            "searches": .array((0..<40).map { .string("d\($0).example") })]]), cluster: cluster, host: host)
        XCTAssertEqual(many.resolvConf.nameservers.count, 3)
        XCTAssertEqual(many.resolvConf.searches.count, 32)
        XCTAssertEqual(many.warnings.count, 2)
        XCTAssertTrue(many.warnings[0].hasPrefix("Nameserver limits were exceeded"))
        XCTAssertTrue(many.warnings[1].hasPrefix("Search Line limits were exceeded"))
    }

    func testNoClusterDNSFallsBackToDefaultWithAWarning() {
        let r = PodDNSConfig.compose(pod: pod([:]), cluster: nil, host: host)
        XCTAssertEqual(r.resolvConf, host)
        XCTAssertEqual(r.warnings.count, 1)
    }

    func testHostResolvConfSkipsALocalStub() {
        let files = ["/etc/resolv.conf": "nameserver 127.0.0.53\nsearch lan\n",
                     "/run/systemd/resolve/resolv.conf": "nameserver 192.168.1.1\n"]
        XCTAssertEqual(HostResolvConf.choose(explicit: nil, fallbackPath: "/x") { files[$0] }.path, "/run/systemd/resolve/resolv.conf")
        XCTAssertEqual(HostResolvConf.choose(explicit: "/mine", fallbackPath: "/x") { files[$0] }.path, "/mine")
        let stubOnly = HostResolvConf.choose(explicit: nil, fallbackPath: "/x") { $0 == "/etc/resolv.conf" ? "nameserver 127.0.0.1\n" : nil }
        XCTAssertEqual(stubOnly.path, "/x")
        XCTAssertTrue(stubOnly.needsFallbackFile)
    }
}
