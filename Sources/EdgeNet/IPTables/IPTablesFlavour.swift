#if canImport(Glibc)
import Glibc
#endif

/// Which iptables back end the host uses. Both write rules into the kernel,
/// but into different places (nf_tables or the legacy xtables), and the host's
/// own tools (and its other daemons) only see one: mixing them leaves two sets
/// of rules that each ignore the other.
public enum IPTablesFlavour: String, Sendable, CaseIterable {
    case nft
    case legacy

    public var restore: String { "iptables-\(rawValue)-restore" }
    public var save: String { "iptables-\(rawValue)-save" }
    public var iptables: String { "iptables-\(rawValue)" }

    /// Chains kubelet and kube-proxy create to mark the back end in use (the hint iptables-wrapper looks for first).
    static let hintChains = [":KUBE-IPTABLES-HINT", ":KUBE-KUBELET-CANARY"]

    /// The choice kube-proxy's iptables-wrapper makes, from each back end's
    /// `-save` output (nil: that back end's tools are missing): a back end
    /// holding a hint chain wins (nft first); otherwise the one holding more
    /// rules, nft on a tie (an empty host uses the modern one).
    public static func decide(nftSave: String?, legacySave: String?) -> IPTablesFlavour {
        guard let nft = nftSave else { return legacySave == nil ? .nft : .legacy }
        guard let legacy = legacySave else { return .nft }
        if hasHint(nft) { return .nft }
        if hasHint(legacy) { return .legacy }
        return ruleCount(legacy) > ruleCount(nft) ? .legacy : .nft
    }

    static func hasHint(_ save: String) -> Bool {
        save.split(separator: "\n").contains { line in hintChains.contains { line.hasPrefix($0 + " ") } }
    }

    static func ruleCount(_ save: String) -> Int {
        save.split(separator: "\n").reduce(0) { $0 + ($1.hasPrefix("-") ? 1 : 0) }
    }

    /// Looks at the host (both back ends' save output) and decides. The legacy
    /// tool is only run when the legacy tables are in use in this namespace
    /// (/proc/net/ip_tables_names lists them): running it would load the legacy
    /// kernel modules, and with them empty legacy tables, on a host that never had any.
    public static func detect(_ runner: any CommandRunning, legacyTables: () -> String? = { readLegacyTableNames() }) -> IPTablesFlavour {
        func saved(_ f: IPTablesFlavour) -> String? {
            guard let r = runner.run([f.save], input: ""), r.status == 0 else { return nil }
            return r.stdout
        }
        let legacyInUse = !(legacyTables() ?? "").split(whereSeparator: { $0 == "\n" || $0 == " " }).isEmpty
        let nft = saved(.nft)
        let legacy = legacyInUse || nft == nil ? saved(.legacy) : ""
        return decide(nftSave: nft, legacySave: legacy)
    }

    public static func readLegacyTableNames() -> String? {
        guard let f = fopen("/proc/net/ip_tables_names", "r") else { return nil }
        defer { fclose(f) }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = fread(&buf, 1, buf.count, f)
        return String(decoding: buf[0..<max(0, n)], as: UTF8.self)
    }
}
