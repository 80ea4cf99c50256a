/// How the service proxy programs the kernel (kube-proxy's --proxy-mode).
public enum ProxyMode: String, Sendable, CaseIterable {
    /// iptables-restore transactions into chains EDGE-* of the nat and filter tables.
    case iptables
    /// `nft -f` transactions into one table of its own, `ip edgectl-proxy`.
    case nftables

    /// The default when no mode is given.
    public static let `default` = ProxyMode.nftables
}
