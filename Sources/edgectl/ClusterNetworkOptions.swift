import EdgeCommandLine
import EdgeAPI
import EdgeNet

/// The server's cluster-wide network flags, k3s's names and defaults; the
/// server hands them to every node through its Node object (ClusterNetworkSettings).
struct ClusterNetworkOptions: ParsableArguments {
    @Option(help: "Pod network CIDR: each node gets a /24 of it.")
    var clusterCidr: String = "10.42.0.0/16"

    @Option(help: "Service network CIDR (ClusterIPs).")
    var serviceCidr: String = "10.43.0.0/16"

    @Option(help: "The cluster DNS service's address, written into pods' resolv.conf (inside --service-cidr; default its 10th address, 10.43.0.10).")
    var clusterDns: String?

    @Option(help: "The cluster's DNS domain.")
    var clusterDomain: String = "cluster.local"

    @Option(help: "How pods on different nodes reach each other: vxlan (works across routed networks), host-gw (nodes on one L2 segment) or none (bring your own CNI).")
    var flannelBackend: String = "vxlan"

    func validate() throws {
        _ = try settings()
    }

    /// The parsed settings; a clear error for each bad value.
    func settings() throws -> ClusterNetworkSettings {
        guard let cluster = IPv4CIDR(clusterCidr) else {
            throw ValidationError("--cluster-cidr \(clusterCidr) is not an IPv4 network such as 10.42.0.0/16")
        }
        guard cluster.isCanonical else { throw ValidationError("--cluster-cidr \(clusterCidr) has host bits set: use \(cluster.canonical)") }
        guard cluster.prefixLength <= 24 else {
            throw ValidationError("--cluster-cidr \(clusterCidr) is smaller than one node's /24: use a /24 or larger (e.g. 10.42.0.0/16)")
        }
        guard cluster.prefixLength >= 8 else {
            throw ValidationError("--cluster-cidr \(clusterCidr) holds more than 65536 node ranges: use a /8 or smaller")
        }
        guard let service = IPv4CIDR(serviceCidr) else {
            throw ValidationError("--service-cidr \(serviceCidr) is not an IPv4 network such as 10.43.0.0/16")
        }
        guard service.isCanonical else { throw ValidationError("--service-cidr \(serviceCidr) has host bits set: use \(service.canonical)") }
        guard (8...30).contains(service.prefixLength) else {
            throw ValidationError("--service-cidr \(serviceCidr) must have a prefix between /8 and /30")
        }
        let dnsText = clusterDns ?? service.address(at: 10)!.description
        guard let dns = IPv4Address(dnsText) else { throw ValidationError("--cluster-dns \(dnsText) is not an IPv4 address") }
        guard service.contains(dns) else {
            throw ValidationError("--cluster-dns \(dnsText) is not in --service-cidr \(serviceCidr): pods reach the cluster DNS at a service address")
        }
        guard !clusterDomain.isEmpty, clusterDomain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
        }) else {
            throw ValidationError("--cluster-domain \(clusterDomain) is not a DNS domain such as cluster.local")
        }
        guard let backend = FlannelBackend(rawValue: flannelBackend) else {
            throw ValidationError("--flannel-backend must be vxlan, host-gw or none, got \(flannelBackend)")
        }
        return ClusterNetworkSettings(clusterCIDR: cluster, serviceCIDR: service, clusterDNS: dns, clusterDomain: clusterDomain.lowercased(),
                                      backend: backend)
    }

    /// The ranges against each other and this machine's own networks.
    func checkOverlap(host: [HostAddress] = HostAddress.list()) throws {
        let s = try settings()
        if let problem = NetworkOverlap.problem(clusterCIDR: s.clusterCIDR, serviceCIDR: s.serviceCIDR, host: host) {
            throw ValidationError(problem)
        }
    }
}
