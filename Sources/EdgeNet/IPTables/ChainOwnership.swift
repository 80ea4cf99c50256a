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

/// A rule in a built-in chain that sends packets into one of ours. The
/// comment identifies it (and lets a human see whose it is in iptables -L).
public struct IPTablesJump: Hashable, Sendable {
    public var table: String
    public var chain: String
    /// The rule's arguments after `-A CHAIN`; its `-j` target must be a chain we own.
    public var rule: String
    public var target: String

    public init(table: String, chain: String, comment: String, match: String = "", target: String) {
        self.table = table
        self.chain = chain
        self.target = target
        let m = match.isEmpty ? "" : match + " "
        rule = m + "-m comment --comment \"\(comment)\" -j \(target)"
    }

    /// Present in a saved chain: some rule of it jumps to our target (iptables-save may reorder the matches).
    func present(in savedRules: [String]) -> Bool {
        savedRules.contains { $0.hasSuffix("-j " + target) || $0.contains("-j " + target + " ") }
    }
}
