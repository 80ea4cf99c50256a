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
