import XCTest
import EdgeAPI
@testable import EdgeNet

final class PodHostsFileTests: XCTestCase {
    let header = """
        # Kubernetes-managed hosts file.
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        fe00::0\tip6-mcastprefix
        fe00::1\tip6-allnodes
        fe00::2\tip6-allrouters

        """

    func testPodAddressHostnameAndAliases() {
        let text = PodHostsFile.render(ips: ["10.42.1.5"], hostname: "web-0", domain: nil, aliases: [
            ["ip": "10.1.2.3", "hostnames": ["foo.local", "bar.local"]]])
        XCTAssertEqual(text, header + "10.42.1.5\tweb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\n10.1.2.3\tbar.local\n")
    }

    func testSubdomainGivesTheFQDN() {
        let pod: JSON = ["metadata": ["name": "web-0", "namespace": "shop"], "spec": ["subdomain": "web"]]
        let domain = PodHostname.domain(pod, clusterDomain: "cluster.local")
        XCTAssertEqual(domain, "web.shop.svc.cluster.local")
        XCTAssertEqual(PodHostsFile.render(ips: ["10.42.1.5"], hostname: "web-0", domain: domain, aliases: []),
                       header + "10.42.1.5\tweb-0.web.shop.svc.cluster.local\tweb-0\n")
    }

    func testHostNetworkPodsSeeTheNodesFile() {
        XCTAssertEqual(PodHostsFile.renderHostNetwork(nodeHosts: "127.0.0.1 localhost\n", aliases: [["ip": "1.2.3.4", "hostnames": ["x"]]]),
                       "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n")
    }

    func testHostnameIsTheNameCutTo63WithoutATrailingDash() {
        let long = String(repeating: "a", count: 62) + "-b"
        XCTAssertEqual(PodHostname.hostname(["metadata": ["name": .string(long)]]), String(repeating: "a", count: 62))
        XCTAssertEqual(PodHostname.hostname(["metadata": ["name": "p"], "spec": ["hostname": "h"]]), "h")
    }
}
