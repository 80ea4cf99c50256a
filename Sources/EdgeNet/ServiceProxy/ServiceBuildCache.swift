/// Each Service port's build (iptables chains or nftables objects), keyed by port key and
/// protocol, kept from one sync to the next: an unchanged input reuses its build, so a sync
/// with one changed Service builds only that one. Both proxy back ends keep one.
struct ServiceBuildCache<Built> {
    private var inputs: [String: ProxyRuleSet.Input] = [:]
    /// The builds of the inputs the last refresh was given.
    private(set) var built: [String: Built] = [:]

    /// Brings the cache to `ports`, building what is new or changed; returns the keys built again,
    /// the keys gone, and the builds every key had before.
    mutating func refresh(_ ports: [ProxyRuleSet.Input], build: (ProxyRuleSet.Input) -> Built)
        -> (changed: [String], removed: [String], old: [String: Built]) {
        var freshInputs: [String: ProxyRuleSet.Input] = [:]
        var freshBuilt: [String: Built] = [:]
        freshInputs.reserveCapacity(ports.count)
        freshBuilt.reserveCapacity(ports.count)
        var changed: [String] = []
        for input in ports {
            let key = input.port.key + "/" + input.port.proto
            if inputs[key] == input, let hit = built[key] {
                freshBuilt[key] = hit
            } else {
                freshBuilt[key] = build(input)
                changed.append(key)
            }
            freshInputs[key] = input
        }
        let removed = built.keys.filter { freshBuilt[$0] == nil }
        let old = built
        inputs = freshInputs
        built = freshBuilt
        return (changed, removed, old)
    }

    mutating func removeAll() {
        inputs = [:]
        built = [:]
    }
}
