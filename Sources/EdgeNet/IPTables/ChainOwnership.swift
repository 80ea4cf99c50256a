/// Which chains are edgectl's: those with its prefix, and nothing else. The
/// syncer creates, rewrites and deletes only these; the host's own chains (and
/// another proxy's KUBE-*) are never flushed or touched. Built-in chains get
/// one jump each into ours, inserted once and left alone afterwards.
public enum ChainOwnership {
    public static let prefix = "EDGE-"
    public static let builtIn: Set<String> = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
    /// iptables' limit on chain names (XT_EXTENSION_MAXNAMELEN less the terminator).
    public static let maxNameLength = 28

    public static func owns(_ chain: String) -> Bool { chain.hasPrefix(prefix) && chain.utf8.count <= maxNameLength }
}
