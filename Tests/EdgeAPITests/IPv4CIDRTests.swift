import XCTest
@testable import EdgeAPI

final class IPv4CIDRTests: XCTestCase {
    func testParsesOnlyStrictIPv4() {
        XCTAssertEqual(IPv4Address("10.42.1.7")?.description, "10.42.1.7")
        for bad in ["10.42.1", "10.42.1.256", "010.1.1.1", "1.2.3.4.5", "a.b.c.d", "", "1..2.3", "::1", " 1.2.3.4", "+1.2.3.4"] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
        XCTAssertEqual(IPv4CIDR("10.42.0.0/16")?.prefixLength, 16)
        for bad in ["10.42.0.0", "10.42.0.0/33", "10.42.0.0/-1", "10.42.0.0/", "10.42.0.0/1a", "fd00::/64", "10.42.0.0/016"] {
            XCTAssertNil(IPv4CIDR(bad), bad)
        }
    }

    func testNetworkMathAndCanonicalForm() throws {
        let c = try XCTUnwrap(IPv4CIDR("10.42.1.7/24"))
        XCTAssertFalse(c.isCanonical)
        XCTAssertEqual(c.canonical.description, "10.42.1.0/24")
        XCTAssertEqual(c.broadcast.description, "10.42.1.255")
        XCTAssertEqual(c.size, 256)
        XCTAssertEqual(c.address(at: 1)?.description, "10.42.1.1")
        XCTAssertNil(c.address(at: 256))
        XCTAssertTrue(c.contains(IPv4Address("10.42.1.200")!))
        XCTAssertFalse(c.contains(IPv4Address("10.42.2.1")!))
        XCTAssertEqual(IPv4CIDR("0.0.0.0/0")?.size, 1 << 32)
    }

    func testOverlapIsContainmentEitherWay() {
        let cluster = IPv4CIDR("10.42.0.0/16")!
        XCTAssertTrue(cluster.overlaps(IPv4CIDR("10.42.7.0/24")!))
        XCTAssertTrue(IPv4CIDR("10.42.7.0/24")!.overlaps(cluster))
        XCTAssertTrue(cluster.overlaps(IPv4CIDR("10.0.0.0/8")!))
        XCTAssertFalse(cluster.overlaps(IPv4CIDR("10.43.0.0/16")!))
        XCTAssertTrue(IPv4CIDR("0.0.0.0/0")!.overlaps(cluster))
    }

    func testSubnetsByIndex() throws {
        let cluster = try XCTUnwrap(IPv4CIDR("10.42.0.0/16"))
        XCTAssertEqual(cluster.subnetCount(length: 24), 256)
        XCTAssertNil(cluster.subnetCount(length: 8))
        XCTAssertEqual(cluster.subnet(length: 24, index: 3)?.description, "10.42.3.0/24")
        XCTAssertEqual(cluster.subnet(length: 24, index: 255)?.description, "10.42.255.0/24")
        XCTAssertNil(cluster.subnet(length: 24, index: 256))
        XCTAssertEqual(cluster.subnetIndex(of: IPv4CIDR("10.42.9.0/24")!), 9)
        XCTAssertNil(cluster.subnetIndex(of: IPv4CIDR("10.43.9.0/24")!))
        XCTAssertNil(cluster.subnetIndex(of: IPv4CIDR("10.42.9.1/24")!), "not a network address")
    }

    func testClusterSettingsRoundTripThroughNodeAnnotations() throws {
        let s = ClusterNetworkSettings(clusterCIDR: IPv4CIDR("10.60.0.0/16")!, serviceCIDR: IPv4CIDR("10.61.0.0/16")!,
                                       clusterDNS: IPv4Address("10.61.0.10")!, clusterDomain: "lab.local", backend: .hostGW)
        XCTAssertEqual(ClusterNetworkSettings(annotations: s.annotations), s)
        var partial = s.annotations
        partial[ClusterNetworkSettings.Key.backend] = "wireguard"
        XCTAssertNil(ClusterNetworkSettings(annotations: partial), "an unknown backend is not a setting")
        partial = s.annotations
        partial[ClusterNetworkSettings.Key.clusterDNS] = nil
        XCTAssertNil(ClusterNetworkSettings(annotations: partial))
    }
}
