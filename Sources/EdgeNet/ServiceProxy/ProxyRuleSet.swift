/// Builds the whole rule set from the service ports, their endpoints and the
/// node's host ports. Each port's rules are kept from the last build while its
/// inputs stay equal, so a sync with one changed Service recomputes one.
final class ProxyRuleSet: @unchecked Sendable {
    struct Input: Equatable {
        var port: ProxyServicePort
        var endpoints: [ProxyEndpoint]
    }

    private var cache: [String: (input: Input, chains: ServiceChains)] = [:]

    func build(_ ports: [Input], hostPorts: [HostPortMapping], settings: ProxySettings) -> IPTablesRules {
        var fresh: [String: (input: Input, chains: ServiceChains)] = [:]
        fresh.reserveCapacity(ports.count)
        for input in ports {
            let key = input.port.key + "/" + input.port.proto
            if let hit = cache[key], hit.input == input {
                fresh[key] = hit
            } else {
                fresh[key] = (input, ServiceRules.build(input.port, input.endpoints, settings))
            }
        }
        cache = fresh
        return Self.assemble(fresh.sorted { $0.key < $1.key }.map(\.value.chains), hostPorts: hostPorts, settings: settings)
    }

    /// Call when the settings change: every port's rules depend on them.
    func invalidate() { cache = [:] }

    static func assemble(_ services: [ServiceChains], hostPorts: [HostPortMapping], settings: ProxySettings) -> IPTablesRules {
        var r = IPTablesRules()
        r.jumps = ProxyChains.jumps
        for c in [ProxyChains.services, ProxyChains.nodePorts, ProxyChains.postrouting, ProxyChains.markMasq,
                  ProxyChains.hostPorts, ProxyChains.podEgress] { r.chain("nat", c) }
        for c in [ProxyChains.services, ProxyChains.externalServices, ProxyChains.forward] { r.chain("filter", c) }

        var buckets: [String: [String]] = [:]
        var natServices: [String] = [], nodePorts: [String] = [], filterServices: [String] = [], filterExternal: [String] = []
        for s in services {
            for (name, rules) in s.natChains { r.set("nat", name, rules) }
            if let (bucket, rule) = s.clusterIPRule { buckets[bucket, default: []].append(rule) }
            natServices += s.natServices
            nodePorts += s.natNodePorts
            filterServices += s.filterServices
            filterExternal += s.filterExternal
        }
        var dispatch: [String] = []
        for (bucket, rules) in buckets.sorted(by: { $0.key < $1.key }) {
            r.set("nat", bucket, rules)
            dispatch.append("-d \(bucketNetwork(bucket)) -j \(bucket)")
        }
        dispatch += natServices
        // Last: node ports on any of the node's own addresses.
        dispatch.append("-m addrtype --dst-type LOCAL -m comment --comment \"edgectl service nodeports; must be last\" -j \(ProxyChains.nodePorts)")
        r.set("nat", ProxyChains.services, dispatch)
        r.set("nat", ProxyChains.nodePorts, nodePorts)
        r.set("filter", ProxyChains.services, filterServices)
        r.set("filter", ProxyChains.externalServices, filterExternal)

        let mark = ProxyChains.masqMark
        r.set("nat", ProxyChains.markMasq, ["-j MARK --or-mark \(mark)"])
        r.set("nat", ProxyChains.postrouting, [
            "-m mark ! --mark \(mark)/\(mark) -j RETURN",
            // Cleared so a packet passing again (re-encapsulated, say) is not masqueraded twice.
            "-j MARK --xor-mark \(mark)",
            "-m comment --comment \"edgectl service traffic requiring SNAT\" -j MASQUERADE --random-fully",
        ])
        r.set("filter", ProxyChains.forward, [
            "-m comment --comment \"edgectl forwarding rules\" -m mark --mark \(mark)/\(mark) -j ACCEPT",
            "-m comment --comment \"edgectl forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        ])
        r.set("nat", ProxyChains.hostPorts, hostPorts.sorted().flatMap(\.rules))
        if let cluster = settings.clusterBlock {
            r.set("nat", ProxyChains.podEgress, [
                "-s \(cluster) -d \(cluster) -m comment --comment \"edgectl pod-to-pod traffic keeps its addresses\" -j RETURN",
                "-s \(cluster) ! -d 224.0.0.0/4 -m comment --comment \"edgectl pod traffic leaving the cluster network\" -j MASQUERADE --random-fully",
            ])
        }
        return r
    }

    /// The /24 a bucket chain serves, from its name (EDGE-CIP-0A2B00 -> 10.43.0.0/24).
    static func bucketNetwork(_ bucket: String) -> String {
        let hex = bucket.dropFirst("EDGE-CIP-".count)
        let v = UInt32(hex, radix: 16) ?? 0
        return IPv4Text.format(v << 8) + "/24"
    }
}
