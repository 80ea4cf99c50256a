/// Builds the nftables table's wanted content from the service ports, their
/// endpoints and the node's host ports. As ProxyRuleSet: each port's objects
/// are kept while its inputs stay equal and the assembled content is patched,
/// so one changed Service costs its own chains and map elements whatever the
/// number of Services. A map key two Services claim (the same external IP and
/// port, say) goes to the first by name, so no transaction ever adds one key twice.
final class NFTProxyRuleSet: @unchecked Sendable {
    typealias N = NFTProxyNames

    private var cache = ServiceBuildCache<NFTServiceObjects>()
    private var assembled: NFTablesRules?
    private var assembledHostPorts: [HostPortMapping] = []
    private var assembledSettings: ProxySettings?
    /// map + " " + key -> service port key -> value.
    private var claims: [String: [String: String]] = [:]

    func build(_ ports: [ProxyRuleSet.Input], hostPorts: [HostPortMapping], settings: ProxySettings) -> NFTablesRules {
        if settings != assembledSettings { invalidate() }
        let (changed, removed, old) = cache.refresh(ports) { NFTServiceRules.build($0.port, $0.endpoints, settings) }
        let sortedHostPorts = hostPorts.sorted()
        guard var r = assembled else {
            var r = base(settings, sortedHostPorts)
            claims = [:]
            var touched: Set<String> = []
            for (key, objects) in cache.built { add(key, objects, to: &r, touched: &touched) }
            settle(touched, &r)
            assembled = r
            assembledSettings = settings
            return r
        }
        if changed.isEmpty && removed.isEmpty && sortedHostPorts == assembledHostPorts { return r }
        var touched: Set<String> = []
        for key in changed + removed {
            if let prev = old[key] {
                for name in prev.chains.keys { r.removeChain(name) }
                for name in prev.sets.keys { r.sets[name] = nil }
                for e in prev.elements {
                    let k = e.map + " " + e.key
                    claims[k]?[key] = nil
                    touched.insert(k)
                }
            }
            if let now = cache.built[key] { add(key, now, to: &r, touched: &touched) }
        }
        settle(touched, &r)
        if sortedHostPorts != assembledHostPorts {
            r.rules[N.hostPorts] = sortedHostPorts.flatMap(Self.hostPortRules)
            assembledHostPorts = sortedHostPorts
        }
        assembled = r
        return r
    }

    func invalidate() {
        cache.removeAll()
        assembled = nil
        assembledSettings = nil
        claims = [:]
    }

    private func add(_ key: String, _ o: NFTServiceObjects, to r: inout NFTablesRules, touched: inout Set<String>) {
        for (name, rules) in o.chains { r.chain(name, "", rules) }
        for (name, decl) in o.sets { r.sets[name] = decl }
        for e in o.elements {
            let k = e.map + " " + e.key
            claims[k, default: [:]][key] = e.value
            touched.insert(k)
        }
    }

    /// Each touched map key gets the value of its first claimant, or goes.
    private func settle(_ touched: Set<String>, _ r: inout NFTablesRules) {
        for k in touched {
            let space = k.firstIndex(of: " ")!
            let map = String(k[..<space]), key = String(k[k.index(after: space)...])
            if let owners = claims[k], let first = owners.min(by: { $0.key < $1.key }) {
                r.elements[map, default: [:]][key] = first.value
            } else {
                claims[k] = nil
                r.elements[map]?[key] = nil
            }
        }
    }

    /// The fixed part: hooks, dispatch maps, masquerading, host ports, pod egress.
    private func base(_ settings: ProxySettings, _ hostPorts: [HostPortMapping]) -> NFTablesRules {
        var r = NFTablesRules()
        let ipMap = "map { type ipv4_addr . inet_proto . inet_service : verdict ; }"
        let portMap = "map { type inet_proto . inet_service : verdict ; }"
        r.sets = [N.serviceIPs: ipMap, N.noEndpointServices: ipMap, N.serviceNodePorts: portMap, N.noEndpointNodePorts: portMap,
                  N.hairpin: "set { type ipv4_addr . ipv4_addr ; }"]
        for m in r.sets.keys { r.elements[m] = [:] }
        // Before iptables' filter chains (priority 0), as kube-proxy's: a refusal is not left to the host's rules.
        for hook in ["input", "forward", "output"] {
            r.chain("filter-" + hook, "{ type filter hook \(hook) priority -110 ; policy accept ; }", ["ct state new jump \(N.endpointsCheck)"])
        }
        r.chain(N.endpointsCheck, "", [
            "ip daddr . meta l4proto . th dport vmap @\(N.noEndpointServices)",
            "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @\(N.noEndpointNodePorts)",
        ])
        r.chain(N.rejectChain, "", ["reject"])
        r.chain("nat-prerouting", "{ type nat hook prerouting priority -100 ; policy accept ; }",
                ["fib daddr type local jump \(N.hostPorts)", "jump \(N.services)"])
        r.chain("nat-output", "{ type nat hook output priority -100 ; policy accept ; }",
                ["fib daddr type local jump \(N.hostPorts)", "jump \(N.services)"])
        r.chain("nat-postrouting", "{ type nat hook postrouting priority 100 ; policy accept ; }",
                ["jump \(N.masquerading)",
                 "ct status dnat ip saddr . ip daddr @\(N.hairpin) masquerade fully-random",
                 "jump \(N.podEgress)"])
        r.chain(N.services, "", [
            "ip daddr . meta l4proto . th dport vmap @\(N.serviceIPs)",
            // Last: node ports on any of the node's own addresses but loopback (no DNAT from 127/8).
            "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @\(N.serviceNodePorts)",
        ])
        let mark = ProxyChains.masqMark
        r.chain(N.markMasq, "", ["meta mark set meta mark | \(mark)"])
        r.chain(N.masquerading, "", [
            "meta mark & \(mark) == 0 return",
            // Cleared so a packet passing again (re-encapsulated, say) is not masqueraded twice.
            "meta mark set meta mark ^ \(mark)",
            "masquerade fully-random",
        ])
        r.chain(N.hostPorts, "", hostPorts.flatMap(Self.hostPortRules))
        assembledHostPorts = hostPorts
        var egress: [String] = []
        if let cluster = settings.clusterBlock {
            egress = ["ip saddr \(cluster) ip daddr \(cluster) return",
                      "ip saddr \(cluster) ip daddr != 224.0.0.0/4 masquerade fully-random"]
        }
        r.chain(N.podEgress, "", egress)
        return r
    }

    /// Hairpin masquerade (the pod reaching its own host port), then the DNAT.
    static func hostPortRules(_ m: HostPortMapping) -> [String] {
        let dst = m.hostIP.map { "ip daddr \(IPv4Text.format($0)) " } ?? ""
        let match = "\(dst)meta l4proto \(m.proto) th dport \(m.hostPort)"
        return ["\(match) ip saddr \(IPv4Text.format(m.podIP)) jump \(N.markMasq)",
                "\(match) dnat to \(IPv4Text.format(m.podIP)):\(m.containerPort)"]
    }
}
