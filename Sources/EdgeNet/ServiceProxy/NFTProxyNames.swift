/// Names in the proxy's nftables table (`ip edgectl-proxy`). Fixed chains and
/// maps hold the dispatch (upstream kube-proxy's nftables layout); per service
/// port and endpoint a name carries a hash of what it serves, as ProxyChains'.
enum NFTProxyNames {
    static let table = "edgectl-proxy"

    // Maps: cluster, external and load-balancer IPs; node ports; the same for services without endpoints.
    static let serviceIPs = "service-ips"
    static let serviceNodePorts = "service-nodeports"
    static let noEndpointServices = "no-endpoint-services"
    static let noEndpointNodePorts = "no-endpoint-nodeports"
    /// Set of endpoint . endpoint: a DNATed packet from an endpoint to itself is masqueraded.
    static let hairpin = "hairpin-endpoints"

    static let services = "services"
    static let endpointsCheck = "endpoints-check"
    static let rejectChain = "reject-chain"
    static let markMasq = "mark-for-masquerade"
    static let masquerading = "masquerading"
    static let hostPorts = "hostports"
    static let podEgress = "pod-egress"

    static func svc(_ p: ProxyServicePort) -> String { "svc-" + ProxyChains.hash(p.key + "/" + p.proto) }
    static func svl(_ p: ProxyServicePort) -> String { "svl-" + ProxyChains.hash(p.key + "/" + p.proto) }
    static func ext(_ p: ProxyServicePort) -> String { "ext-" + ProxyChains.hash(p.key + "/" + p.proto) }
    static func sep(_ p: ProxyServicePort, _ e: ProxyEndpoint) -> String { "sep-" + ProxyChains.hash(p.key + "/" + p.proto + "/" + e.address) }
    /// The timeout is part of the name: a set's timeout cannot change in place, a new name makes a new set.
    static func affinity(_ p: ProxyServicePort, _ e: ProxyEndpoint, seconds: Int) -> String {
        "aff-" + ProxyChains.hash(p.key + "/" + p.proto + "/" + e.address + "/\(seconds)")
    }
}
