import EdgeCommandLine
import EdgeNet

/// Service proxy and cluster DNS flags of the node agent (`server`'s local
/// agent, `agent`, `join`), named as k3s and kube-proxy name them.
struct ServiceNetworkOptions: ParsableArguments {
    @Flag(help: "Do not run the service proxy (iptables rules for Services) or the node-local cluster DNS on this node.")
    var disableKubeProxy = false

    @Option(help: "How the service proxy programs the kernel: nftables (one nft table, ip edgectl-proxy) or iptables (chains EDGE-* via iptables-restore).")
    var proxyMode: String = ProxyMode.default.rawValue

    @Option(help: "How often the proxy checks its iptables rules and repairs what was changed by hand: 30s, 5s, 1m.")
    var iptablesSyncPeriod: String = "30s"

    func validate() throws {
        guard ProxyMode(rawValue: proxyMode) != nil else {
            throw ValidationError("--proxy-mode must be iptables or nftables, got \(proxyMode)")
        }
        guard let s = DurationFlag.seconds(iptablesSyncPeriod), s >= 1 else {
            throw ValidationError("--iptables-sync-period must be a duration of at least 1s such as 30s or 1m, got \(iptablesSyncPeriod)")
        }
    }

    var mode: ProxyMode { ProxyMode(rawValue: proxyMode) ?? .default }

    var syncPeriod: Duration { .seconds(DurationFlag.seconds(iptablesSyncPeriod) ?? 30) }
}
