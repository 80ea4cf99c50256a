import EdgeCommandLine

/// Service proxy and cluster DNS flags of the node agent (`server`'s local
/// agent, `agent`, `join`), named as k3s and kube-proxy name them.
struct ServiceNetworkOptions: ParsableArguments {
    @Flag(help: "Do not run the service proxy (iptables rules for Services) or the node-local cluster DNS on this node.")
    var disableKubeProxy = false

    @Option(help: "How often the proxy checks its iptables rules and repairs what was changed by hand: 30s, 5s, 1m.")
    var iptablesSyncPeriod: String = "30s"

    func validate() throws {
        guard let s = DurationFlag.seconds(iptablesSyncPeriod), s >= 1 else {
            throw ValidationError("--iptables-sync-period must be a duration of at least 1s such as 30s or 1m, got \(iptablesSyncPeriod)")
        }
    }

    var syncPeriod: Duration { .seconds(DurationFlag.seconds(iptablesSyncPeriod) ?? 30) }
}
