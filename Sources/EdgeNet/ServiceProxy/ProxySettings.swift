/// What the proxy knows about its node and cluster.
public struct ProxySettings: Equatable, Sendable {
    public var nodeName: String
    /// The pod network (--cluster-cidr): traffic from it is "local" to the cluster
    /// (not masqueraded on the way to a cluster IP), and pods' traffic leaving it is
    /// masqueraded. nil: unknown, so neither (kube-proxy without --cluster-cidr).
    public var clusterCIDR: String?

    public init(nodeName: String, clusterCIDR: String? = nil) {
        self.nodeName = nodeName
        self.clusterCIDR = clusterCIDR
    }

    var clusterBlock: IPv4Block? { clusterCIDR.flatMap(IPv4Block.init) }
}
