/// The nftables objects for one service port: the same decisions as
/// ServiceRules (kube-proxy's iptables mode) expressed as upstream kube-proxy's
/// nftables mode writes them (pkg/proxy/nftables): the cluster IP, external
/// and load-balancer IPs and the node port are keys of verdict maps; the
/// endpoint is chosen by `numgen random` and DNATed to in the service's own
/// chain; session affinity is a set of client addresses with a timeout per
/// endpoint (and then a chain per endpoint); hairpin is an element of one
/// shared set; services without (local) endpoints are keys of the maps the
/// filter hooks reject or drop by. About one chain per service port keeps
/// nft's per-transaction cache small.
enum NFTServiceRules {
    typealias N = NFTProxyNames

    static func build(_ p: ProxyServicePort, _ endpoints: [ProxyEndpoint], _ settings: ProxySettings) -> NFTServiceObjects {
        var out = NFTServiceObjects()
        let cluster = settings.clusterBlock
        let d = ServicePortDecisions(p, endpoints, podNetwork: cluster)
        let cats = d.categories
        let (hasEndpoints, hasInternal, hasExternal) = (d.hasEndpoints, d.hasInternal, d.hasExternal)
        let (usesCluster, usesLocal, usesExt) = (d.usesCluster, d.usesLocal, d.usesExt)
        let svc = N.svc(p), svl = N.svl(p), ext = N.ext(p)
        let internalChain = d.internalUsesLocalChain ? svl : svc
        let externalChain = d.externalUsesLocalChain ? svl : svc
        let noEndpoints = hasEndpoints ? "drop" : "goto \(N.rejectChain)"
        func ipKey(_ ip: UInt32) -> String { "\(IPv4Text.format(ip)) . \(p.proto) . \(p.port)" }

        if let cip = p.clusterIP {
            if hasInternal {
                out.elements.append(.init(map: N.serviceIPs, key: ipKey(cip), value: "goto \(internalChain)"))
            } else {
                out.elements.append(.init(map: N.noEndpointServices, key: ipKey(cip), value: noEndpoints))
            }
        }
        for ip in p.externalIPs + p.loadBalancerIPs {
            if usesExt { out.elements.append(.init(map: N.serviceIPs, key: ipKey(ip), value: "goto \(ext)")) }
            if !hasExternal { out.elements.append(.init(map: N.noEndpointServices, key: ipKey(ip), value: noEndpoints)) }
        }
        if let np = p.nodePort {
            let key = "\(p.proto) . \(np)"
            if usesExt { out.elements.append(.init(map: N.serviceNodePorts, key: key, value: "goto \(ext)")) }
            if !hasExternal { out.elements.append(.init(map: N.noEndpointNodePorts, key: key, value: noEndpoints)) }
        }

        if usesExt {
            out.chains[ext] = d.externalSteps.map { step in
                switch step {
                case .podTrafficToClusterChain(let podNetwork): "ip saddr \(podNetwork) goto \(svc)"
                case .masqueradeNodeTraffic: "fib saddr type local jump \(N.markMasq)"
                case .nodeTrafficToClusterChain: "fib saddr type local goto \(svc)"
                case .masqueradeAll: "jump \(N.markMasq)"
                case .toExternalPolicyChain: "goto \(externalChain)"
                }
            }
        }
        if usesCluster {
            var rules: [String] = []
            if let cip = p.clusterIP, let cluster {
                // From outside the pod network (the node, hostNetwork pods): masquerade so replies come back through us.
                rules.append("ip daddr \(IPv4Text.format(cip)) \(p.proto) dport \(p.port) ip saddr != \(cluster) jump \(N.markMasq)")
            }
            rules += spread(p, cats.cluster)
            out.chains[svc] = rules
        }
        if usesLocal { out.chains[svl] = spread(p, cats.local) }
        for e in cats.reachable {
            // Hairpin (an endpoint reaching itself through the service) is one element of a shared
            // set the postrouting hook masquerades by, not a chain per endpoint.
            let ip = IPv4Text.format(e.ip)
            out.elements.append(.init(map: N.hairpin, key: "\(ip) . \(ip)", value: ""))
            if let seconds = p.affinitySeconds {
                let set = N.affinity(p, e, seconds: seconds)
                out.sets[set] = "set { type ipv4_addr ; flags dynamic,timeout ; timeout \(seconds)s ; }"
                out.chains[N.sep(p, e)] = ["update @\(set) { ip saddr }", "meta l4proto \(p.proto) dnat to \(e.address)"]
            }
        }
        return out
    }

    /// Affinity first (a known client goes back to its endpoint), then an even random pick as a
    /// cascade: endpoint i of n with probability 1/(n-i), the last always (iptables' statistic
    /// cascade). Plain rules, not an anonymous map per service: nft fetches every set of the table
    /// before each transaction, so thousands of anonymous maps would make every change slow.
    static func spread(_ p: ProxyServicePort, _ endpoints: [ProxyEndpoint]) -> [String] {
        var rules: [String] = []
        func target(_ e: ProxyEndpoint) -> String {
            p.affinitySeconds == nil ? "meta l4proto \(p.proto) dnat to \(e.address)" : "goto \(N.sep(p, e))"
        }
        if let seconds = p.affinitySeconds {
            for e in endpoints { rules.append("ip saddr @\(N.affinity(p, e, seconds: seconds)) goto \(N.sep(p, e))") }
        }
        for (i, e) in endpoints.enumerated() {
            let remaining = endpoints.count - i
            rules.append(remaining > 1 ? "numgen random mod \(remaining) == 0 \(target(e))" : target(e))
        }
        return rules
    }
}
