/// Builds the whole rule set from the service ports, their endpoints and the
/// node's host ports. Each port's rules are kept from the last build while its
/// inputs stay equal, and the assembled set is patched rather than rebuilt: a
/// sync with one changed Service recomputes that Service's chains and the one
/// /24 bucket it lives in, whatever the number of Services.
final class ProxyRuleSet: @unchecked Sendable {
    struct Input: Equatable {
        var port: ProxyServicePort
        var endpoints: [ProxyEndpoint]
    }

    private var cache = ServiceBuildCache<ServiceChains>()
    /// The last assembled rules, and what each shared chain holds per service (key order).
    private var assembled: IPTablesRules?
    private var assembledHostPorts: [HostPortMapping] = []
    private var assembledSettings: ProxySettings?
    private var buckets: [String: [String: String]] = [:]
    private var natServices: [String: [String]] = [:]
    private var nodePorts: [String: [String]] = [:]
    private var filterServices: [String: [String]] = [:]
    private var filterExternal: [String: [String]] = [:]

    func build(_ ports: [Input], hostPorts: [HostPortMapping], settings: ProxySettings) -> IPTablesRules {
        if settings != assembledSettings { invalidate() }
        let (changed, removed, old) = cache.refresh(ports) { ServiceRules.build($0.port, $0.endpoints, settings) }
        let sortedHostPorts = hostPorts.sorted()
        guard var r = assembled else {
            let r = assemble(settings: settings, hostPorts: sortedHostPorts)
            assembledSettings = settings
            return r
        }
        if changed.isEmpty && removed.isEmpty && sortedHostPorts == assembledHostPorts { return r }
        // Patch: drop what changed or left, add what changed or came.
        var touchedBuckets: Set<String> = []
        var sharedChanged = false
        for key in changed + removed {
            if let prev = old[key] {
                for name in prev.natChains.keys { r.tables["nat"]?[name] = nil }
                if let b = prev.clusterIPRule?.bucket { touchedBuckets.insert(b); buckets[b]?[key] = nil }
                sharedChanged = sharedChanged || !(prev.natServices.isEmpty && prev.natNodePorts.isEmpty && prev.filterServices.isEmpty && prev.filterExternal.isEmpty)
            }
            natServices[key] = nil; nodePorts[key] = nil; filterServices[key] = nil; filterExternal[key] = nil
            if let now = cache.built[key] {
                for (name, rules) in now.natChains { r.set("nat", name, rules) }
                if let (b, rule) = now.clusterIPRule { touchedBuckets.insert(b); buckets[b, default: [:]][key] = rule }
                record(key, now)
                sharedChanged = sharedChanged || !(now.natServices.isEmpty && now.natNodePorts.isEmpty && now.filterServices.isEmpty && now.filterExternal.isEmpty)
            }
        }
        var bucketsChanged = false
        for b in touchedBuckets {
            let members = buckets[b] ?? [:]
            if members.isEmpty {
                buckets[b] = nil
                if r.tables["nat"]?[b] != nil { r.tables["nat"]?[b] = nil; bucketsChanged = true }
            } else {
                if r.tables["nat"]?[b] == nil { bucketsChanged = true }
                r.set("nat", b, members.sorted { $0.key < $1.key }.map(\.value))
            }
        }
        if sharedChanged || bucketsChanged { setShared(&r) }
        if sortedHostPorts != assembledHostPorts {
            r.set("nat", ProxyChains.hostPorts, sortedHostPorts.flatMap(\.rules))
            assembledHostPorts = sortedHostPorts
        }
        assembled = r
        return r
    }

    /// Call when the settings change: every port's rules depend on them.
    func invalidate() {
        cache.removeAll()
        assembled = nil
        buckets = [:]
        natServices = [:]; nodePorts = [:]; filterServices = [:]; filterExternal = [:]
    }

    private func record(_ key: String, _ c: ServiceChains) {
        if !c.natServices.isEmpty { natServices[key] = c.natServices }
        if !c.natNodePorts.isEmpty { nodePorts[key] = c.natNodePorts }
        if !c.filterServices.isEmpty { filterServices[key] = c.filterServices }
        if !c.filterExternal.isEmpty { filterExternal[key] = c.filterExternal }
    }

    /// The dispatch and reject chains every service has lines in, from the per-service maps.
    private func setShared(_ r: inout IPTablesRules) {
        func joined(_ m: [String: [String]]) -> [String] { m.sorted { $0.key < $1.key }.flatMap(\.value) }
        var dispatch = buckets.keys.sorted().map { "-d \(Self.bucketNetwork($0)) -j \($0)" }
        dispatch += joined(natServices)
        // Last: node ports on any of the node's own addresses.
        dispatch.append("-m addrtype --dst-type LOCAL -m comment --comment \"edgectl service nodeports; must be last\" -j \(ProxyChains.nodePorts)")
        r.set("nat", ProxyChains.services, dispatch)
        r.set("nat", ProxyChains.nodePorts, joined(nodePorts))
        r.set("filter", ProxyChains.services, joined(filterServices))
        r.set("filter", ProxyChains.externalServices, joined(filterExternal))
    }

    /// Everything from the cache, from scratch.
    private func assemble(settings: ProxySettings, hostPorts: [HostPortMapping]) -> IPTablesRules {
        var r = IPTablesRules()
        r.jumps = ProxyChains.jumps
        for c in [ProxyChains.services, ProxyChains.nodePorts, ProxyChains.postrouting, ProxyChains.markMasq,
                  ProxyChains.hostPorts, ProxyChains.podEgress] { r.chain("nat", c) }
        for c in [ProxyChains.services, ProxyChains.externalServices, ProxyChains.forward] { r.chain("filter", c) }
        buckets = [:]
        natServices = [:]; nodePorts = [:]; filterServices = [:]; filterExternal = [:]
        for (key, s) in cache.built {
            for (name, rules) in s.natChains { r.set("nat", name, rules) }
            if let (bucket, rule) = s.clusterIPRule { buckets[bucket, default: [:]][key] = rule }
            record(key, s)
        }
        for (bucket, members) in buckets { r.set("nat", bucket, members.sorted { $0.key < $1.key }.map(\.value)) }
        setShared(&r)

        let mark = ProxyChains.masqMark
        r.set("nat", ProxyChains.markMasq, ["-j MARK --or-mark \(mark)"])
        r.set("nat", ProxyChains.postrouting, [
            "-m mark ! --mark \(mark)/\(mark) -j RETURN",
            // Cleared so a packet passing again (re-encapsulated, say) is not masqueraded twice.
            "-j MARK --xor-mark \(mark)",
            "-m comment --comment \"edgectl service traffic requiring SNAT\" -j MASQUERADE --random-fully",
        ])
        r.set("filter", ProxyChains.forward, ProxyChains.forwardRules(settings, rejectsFirst: true))
        r.set("nat", ProxyChains.hostPorts, hostPorts.flatMap(\.rules))
        assembledHostPorts = hostPorts
        if let cluster = settings.clusterBlock {
            r.set("nat", ProxyChains.podEgress, [
                "-s \(cluster) -d \(cluster) -m comment --comment \"edgectl pod-to-pod traffic keeps its addresses\" -j RETURN",
                "-s \(cluster) ! -d 224.0.0.0/4 -m comment --comment \"edgectl pod traffic leaving the cluster network\" -j MASQUERADE --random-fully",
            ])
        }
        assembled = r
        return r
    }

    /// The /24 a bucket chain serves, from its name (EDGE-CIP-0A2B00 -> 10.43.0.0/24).
    static func bucketNetwork(_ bucket: String) -> String {
        let hex = bucket.dropFirst("EDGE-CIP-".count)
        let v = UInt32(hex, radix: 16) ?? 0
        return IPv4Text.format(v << 8) + "/24"
    }
}
