/// The cluster-wide network settings a server was started with (--cluster-cidr,
/// --service-cidr, --cluster-dns, --cluster-domain, --flannel-backend). The
/// server's node IPAM controller writes them as annotations on every Node with
/// its pod range, so each agent learns them from its own Node object, through
/// the API, without flags of its own (k3s hands them to agents the same way,
/// from the server).
public struct ClusterNetworkSettings: Hashable, Sendable {
    public var clusterCIDR: IPv4CIDR
    public var serviceCIDR: IPv4CIDR
    public var clusterDNS: IPv4Address
    public var clusterDomain: String
    public var backend: FlannelBackend

    public init(clusterCIDR: IPv4CIDR = IPv4CIDR("10.42.0.0/16")!, serviceCIDR: IPv4CIDR = IPv4CIDR("10.43.0.0/16")!,
                clusterDNS: IPv4Address = IPv4Address("10.43.0.10")!, clusterDomain: String = "cluster.local",
                backend: FlannelBackend = .vxlan) {
        self.clusterCIDR = clusterCIDR
        self.serviceCIDR = serviceCIDR
        self.clusterDNS = clusterDNS
        self.clusterDomain = clusterDomain
        self.backend = backend
    }

    /// Annotation keys, server-written.
    public enum Key {
        public static let clusterCIDR = "cluster.edgectl.io/cluster-cidr"
        public static let serviceCIDR = "cluster.edgectl.io/service-cidr"
        public static let clusterDNS = "cluster.edgectl.io/cluster-dns"
        public static let clusterDomain = "cluster.edgectl.io/cluster-domain"
        public static let backend = "cluster.edgectl.io/flannel-backend"
        public static let all = [clusterCIDR, serviceCIDR, clusterDNS, clusterDomain, backend]
    }

    public var annotations: [String: String] {
        [Key.clusterCIDR: clusterCIDR.description, Key.serviceCIDR: serviceCIDR.description, Key.clusterDNS: clusterDNS.description,
         Key.clusterDomain: clusterDomain, Key.backend: backend.rawValue]
    }

    /// The settings from a Node's annotations; nil until the server has written all of them (or if any is malformed).
    public init?(annotations: [String: String]) {
        guard let cluster = annotations[Key.clusterCIDR].flatMap(IPv4CIDR.init), cluster.isCanonical,
              let service = annotations[Key.serviceCIDR].flatMap(IPv4CIDR.init), service.isCanonical,
              let dns = annotations[Key.clusterDNS].flatMap(IPv4Address.init),
              let domain = annotations[Key.clusterDomain], !domain.isEmpty,
              let backend = annotations[Key.backend].flatMap(FlannelBackend.init(rawValue:)) else { return nil }
        self.init(clusterCIDR: cluster, serviceCIDR: service, clusterDNS: dns, clusterDomain: domain, backend: backend)
    }

    /// A Node's metadata.annotations as strings.
    public static func annotations(of node: JSON) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in node[path: ["metadata", "annotations"]]?.object ?? JSONObject() { if let s = v.string { out[k] = s } }
        return out
    }
}
