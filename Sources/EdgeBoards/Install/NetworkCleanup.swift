/// edgectl's network on a node, found by its names (EdgeNet's): the bridge edge0, the VXLAN device
/// edge.1, pods' host-side veths edgev*, iptables chains EDGE-* with the rules in built-in
/// chains that jump to them, and the proxy's nftables table `ip edgectl-proxy` (its nftables
/// mode). Nothing else in the namespace is touched.
public enum NetworkCleanup {
    public static func ownsInterface(_ name: String) -> Bool {
        name == "edge0" || name.hasPrefix("edge.") || name.hasPrefix("edgev")
    }

    public static func ownsChain(_ name: String) -> Bool { name.hasPrefix("EDGE-") }

    /// The service proxy's nftables table (EdgeNet's NFTProxyNames.table), as `nft list tables` prints it.
    public static let nftTable = "table ip edgectl-proxy"

    /// Whether `nft list tables` output names the proxy's table.
    public static func hasNFTTable(listing: String) -> Bool {
        listing.split(separator: "\n").contains { $0.trimmingCharacters == nftTable }
    }

    /// Interface names from `ip -o link show` (`3: edge0: <BROADCAST...`; veths as `edgevx@if2`).
    public static func interfaces(ipLinkOutput: String) -> [String] {
        ipLinkOutput.split(separator: "\n").compactMap { line in
            let f = line.split(separator: ":", maxSplits: 2)
            guard f.count >= 2 else { return nil }
            let name = f[1].trimmingCharacters
            return String(name.split(separator: "@").first ?? "")
        }.filter(ownsInterface)
    }

    /// iptables commands (arguments after `iptables -t TABLE`) that remove edgectl's rules from one
    /// table, given `iptables -t TABLE -S`: first the jumps from chains that are not ours, then
    /// flush every chain of ours (they may jump to each other), then delete them.
    public static func iptablesCommands(listing: String) -> [[String]] {
        var deletes: [[String]] = [], ours: [String] = []
        for line in listing.split(separator: "\n").map(String.init) {
            let words = shellWords(line)
            if words.count == 2, words[0] == "-N", ownsChain(words[1]) { ours.append(words[1]); continue }
            guard words.count > 2, words[0] == "-A", !ownsChain(words[1]) else { continue }
            for (i, w) in words.enumerated() where (w == "-j" || w == "-g") && i + 1 < words.count && ownsChain(words[i + 1]) {
                deletes.append(["-D"] + words.dropFirst())
                break
            }
        }
        return deletes + ours.map { ["-F", $0] } + ours.map { ["-X", $0] }
    }

    /// Splits an `iptables -S` line into words; iptables quotes comments with spaces in double quotes.
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = [], cur = "", quoted = false, escaped = false, any = false
        for c in line {
            if escaped { cur.append(c); escaped = false; continue }
            if c == "\\" && quoted { escaped = true; continue }
            if c == "\"" { quoted.toggle(); any = true; continue }
            if c == " " && !quoted {
                if !cur.isEmpty || any { words.append(cur) }
                cur = ""; any = false
                continue
            }
            cur.append(c)
        }
        if !cur.isEmpty || any { words.append(cur) }
        return words
    }

    /// Removes them in the current network namespace; returns what was removed and what failed.
    public static func run() -> (removed: [String], failed: [String]) {
        var removed: [String] = [], failed: [String] = []
        if let out = try? Subprocess.run(["ip", "-o", "link", "show"]), out.succeeded {
            for name in interfaces(ipLinkOutput: out.output) {
                if (try? Subprocess.run(["ip", "link", "del", name]))?.succeeded == true { removed.append("interface \(name)") }
                else if (try? Subprocess.run(["ip", "link", "show", name]))?.succeeded == true { failed.append("interface \(name)") }
            }
        }
        if Subprocess.available("nft"), let tables = try? Subprocess.run(["nft", "list", "tables"]), tables.succeeded,
           hasNFTTable(listing: tables.output) {
            if (try? Subprocess.run(["nft", "delete", nftTable]))?.succeeded == true { removed.append("nftables \(nftTable)") }
            else { failed.append("nft delete \(nftTable)") }
        }
        for tool in ["iptables", "ip6tables", "iptables-legacy", "ip6tables-legacy"] where Subprocess.available(tool) {
            for table in ["filter", "nat", "mangle", "raw"] {
                guard let listing = try? Subprocess.run([tool, "-w", "-t", table, "-S"]), listing.succeeded else { continue }
                for cmd in iptablesCommands(listing: listing.output) {
                    let r = try? Subprocess.run([tool, "-w", "-t", table] + cmd)
                    let what = "\(tool) -t \(table) \(cmd.prefix(2).joined(separator: " "))"
                    if r?.succeeded == true { if cmd[0] == "-X" { removed.append("chain \(table)/\(cmd[1]) (\(tool))") } }
                    else { failed.append(what) }
                }
            }
        }
        return (removed, failed)
    }
}
