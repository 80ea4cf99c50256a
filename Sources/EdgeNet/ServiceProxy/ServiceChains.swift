/// Everything one service port contributes to the rules: its own chains and
/// its lines in the shared dispatch chains. A pure function of the port, its
/// endpoints and the node's settings, so it is computed again only when one
/// of those changed.
struct ServiceChains: Equatable, Sendable {
    /// nat chains of this port alone (SVC, SVL, EXT, SEP).
    var natChains: [String: [String]] = [:]
    /// The cluster IP's line in its /24 bucket chain.
    var clusterIPRule: (bucket: String, rule: String)?
    /// Lines in nat EDGE-SERVICES (external and load-balancer IPs).
    var natServices: [String] = []
    var natNodePorts: [String] = []
    /// Lines in filter EDGE-SERVICES and EDGE-EXTERNAL-SERVICES: rejects and drops.
    var filterServices: [String] = []
    var filterExternal: [String] = []

    static func == (a: ServiceChains, b: ServiceChains) -> Bool {
        a.natChains == b.natChains && a.clusterIPRule?.bucket == b.clusterIPRule?.bucket && a.clusterIPRule?.rule == b.clusterIPRule?.rule
            && a.natServices == b.natServices && a.natNodePorts == b.natNodePorts
            && a.filterServices == b.filterServices && a.filterExternal == b.filterExternal
    }
}
