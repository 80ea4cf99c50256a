/// The rules for one service port, as kube-proxy's iptables mode writes them
/// (pkg/proxy/iptables/proxier.go), with chains of our own prefix:
///
/// - cluster IP -> EDGE-SVC (all usable endpoints, random spread) or EDGE-SVL
///   (this node's only, internalTrafficPolicy Local);
/// - node port, external IPs, load-balancer IPs -> EDGE-EXT, which marks for
///   masquerade (externalTrafficPolicy Cluster) or keeps the client's address
///   and uses only local endpoints (Local);
/// - one EDGE-SEP per endpoint: hairpin masquerade, DNAT;
/// - no endpoints: REJECT in filter (an immediate refusal, not a timeout);
///   endpoints elsewhere only, with a Local policy: DROP.
enum ServiceRules {
    static func build(_ p: ProxyServicePort, _ endpoints: [ProxyEndpoint], _ settings: ProxySettings) -> ServiceChains {
        var out = ServiceChains()
        let cluster = settings.clusterBlock
        let d = ServicePortDecisions(p, endpoints, podNetwork: cluster)
        let cats = d.categories
        let (hasEndpoints, hasInternal, hasExternal) = (d.hasEndpoints, d.hasInternal, d.hasExternal)
        let (usesCluster, usesLocal, usesExt) = (d.usesCluster, d.usesLocal, d.usesExt)
        let proto = "-p \(p.proto) -m \(p.proto)"
        let name = ProxyChains.comment(p.key)
        let svc = ProxyChains.svc(p), svl = ProxyChains.svl(p), ext = ProxyChains.ext(p)
        let internalChain = d.internalUsesLocalChain ? svl : svc
        let externalChain = d.externalUsesLocalChain ? svl : svc

        // Cluster IP.
        if let cip = p.clusterIP {
            let match = "-d \(IPv4Text.format(cip))/32 \(proto) --dport \(p.port)"
            if hasInternal {
                out.clusterIPRule = (ProxyChains.bucket(cip), "\(match) -m comment --comment \"\(name) cluster IP\" -j \(internalChain)")
            } else if !hasEndpoints {
                out.filterServices.append("\(match) -m comment --comment \"\(name) has no endpoints\" -j REJECT")
            } else {
                out.filterServices.append("\(match) -m comment --comment \"\(name) has no local endpoints\" -j DROP")
            }
        }
        // External and load-balancer IPs, node port.
        let externalTargets = p.externalIPs.map { ($0, "external IP") } + p.loadBalancerIPs.map { ($0, "loadbalancer IP") }
        for (ip, what) in externalTargets {
            let match = "-d \(IPv4Text.format(ip))/32 \(proto) --dport \(p.port)"
            if usesExt { out.natServices.append("\(match) -m comment --comment \"\(name) \(what)\" -j \(ext)") }
            if !hasExternal {
                let (why, verdict) = hasEndpoints ? ("has no local endpoints", "DROP") : ("has no endpoints", "REJECT")
                out.filterExternal.append("\(match) -m comment --comment \"\(name) \(why)\" -j \(verdict)")
            }
        }
        if let np = p.nodePort {
            if usesExt { out.natNodePorts.append("\(proto) --dport \(np) -m comment --comment \"\(name)\" -j \(ext)") }
            if !hasExternal {
                let (why, verdict) = hasEndpoints ? ("has no local endpoints", "DROP") : ("has no endpoints", "REJECT")
                out.filterExternal.append("-m addrtype --dst-type LOCAL \(proto) --dport \(np) -m comment --comment \"\(name) \(why)\" -j \(verdict)")
            }
        }

        if usesExt {
            out.natChains[ext] = d.externalSteps.map { step in
                switch step {
                case .podTrafficToClusterChain(let podNetwork):
                    "-s \(podNetwork) -m comment --comment \"pod traffic for \(name) external destinations\" -j \(svc)"
                case .masqueradeNodeTraffic:
                    "-m addrtype --src-type LOCAL -m comment --comment \"masquerade LOCAL traffic for \(name) external destinations\" -j \(ProxyChains.markMasq)"
                case .nodeTrafficToClusterChain:
                    "-m addrtype --src-type LOCAL -m comment --comment \"route LOCAL traffic for \(name) external destinations\" -j \(svc)"
                case .masqueradeAll:
                    "-m comment --comment \"masquerade traffic for \(name) external destinations\" -j \(ProxyChains.markMasq)"
                case .toExternalPolicyChain:
                    "-j \(externalChain)"
                }
            }
        }
        if usesCluster {
            var rules: [String] = []
            if let cip = p.clusterIP, let cluster {
                // From outside the pod network (the node, hostNetwork pods): masquerade so replies come back through us.
                rules.append("-d \(IPv4Text.format(cip))/32 \(proto) --dport \(p.port) ! -s \(cluster) -m comment --comment \"\(name) cluster IP\" -j \(ProxyChains.markMasq)")
            }
            rules += spread(p, cats.cluster)
            out.natChains[svc] = rules
        }
        if usesLocal { out.natChains[svl] = spread(p, cats.local) }
        for e in cats.reachable {
            let sep = ProxyChains.sep(p, e)
            let affinity = p.affinitySeconds != nil ? " -m recent --name \(sep) --set" : ""
            out.natChains[sep] = [
                "-s \(IPv4Text.format(e.ip))/32 -m comment --comment \"\(name)\" -j \(ProxyChains.markMasq)",
                "\(proto) -m comment --comment \"\(name)\"\(affinity) -j DNAT --to-destination \(e.address)",
            ]
        }
        return out
    }

    /// Affinity checks first (a known client goes back to its endpoint), then a
    /// random pick: endpoint i of n with probability 1/(n-i), the last always.
    static func spread(_ p: ProxyServicePort, _ endpoints: [ProxyEndpoint]) -> [String] {
        var rules: [String] = []
        let name = ProxyChains.comment(p.key)
        if let seconds = p.affinitySeconds {
            for e in endpoints {
                let sep = ProxyChains.sep(p, e)
                rules.append("-m comment --comment \"\(name) -> \(e.address)\" -m recent --name \(sep) --rcheck --seconds \(seconds) --reap -j \(sep)")
            }
        }
        for (i, e) in endpoints.enumerated() {
            let remaining = endpoints.count - i
            let stat = remaining > 1 ? " -m statistic --mode random --probability \(ProxyChains.probability(remaining))" : ""
            rules.append("-m comment --comment \"\(name) -> \(e.address)\"\(stat) -j \(ProxyChains.sep(p, e))")
        }
        return rules
    }
}
