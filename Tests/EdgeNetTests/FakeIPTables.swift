import Synchronization
@testable import EdgeNet

/// A kernel's iptables in memory behind the command interface: `-save`
/// prints it, `-restore --noflush` applies declarations, appends, inserts,
/// deletions and chain removals the way the real one does (a missing chain or
/// a chain still referenced fails the whole transaction).
final class FakeIPTables: CommandRunning, @unchecked Sendable {
    struct State {
        var tables: [String: [(name: String, rules: [String])]] = [
            "nat": [("PREROUTING", []), ("INPUT", []), ("OUTPUT", []), ("POSTROUTING", [])],
            "filter": [("INPUT", []), ("FORWARD", []), ("OUTPUT", [])],
        ]
        /// "table CHAIN" -> policy of a built-in chain (ACCEPT unless set).
        var policies: [String: String] = [:]
        var restores: [String] = []
        var saves = 0
        var failNextRestore = false
    }

    let state = Mutex(State())
    let flavour: String

    init(flavour: String = "nft") { self.flavour = flavour }

    var restores: [String] { state.withLock { $0.restores } }

    func rules(_ table: String, _ chain: String) -> [String]? {
        state.withLock { s in s.tables[table]?.first(where: { $0.name == chain })?.rules }
    }

    func chains(_ table: String) -> [String] { state.withLock { s in (s.tables[table] ?? []).map(\.name) } }

    /// Edits by hand, as an admin would with iptables -D / -F / -X.
    func edit(_ table: String, _ body: (inout [(name: String, rules: [String])]) -> Void) {
        state.withLock { s in body(&s.tables[table, default: []]) }
    }

    func run(_ argv: [String], input: String) -> CommandResult? {
        guard let cmd = argv.first else { return nil }
        if cmd == "iptables-\(flavour)-save" {
            let table = argv.count >= 3 ? argv[2] : nil
            return state.withLock { s in
                s.saves += 1
                var out = ""
                for (t, chains) in s.tables.sorted(by: { $0.key < $1.key }) where table == nil || table == t {
                    out += "*\(t)\n"
                    for c in chains {
                        let builtIn = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", "FORWARD"].contains(c.name)
                        out += ":\(c.name) \(builtIn ? s.policies["\(t) \(c.name)"] ?? "ACCEPT" : "-") [0:0]\n"
                    }
                    for c in chains { for r in c.rules { out += "-A \(c.name) \(r)\n" } }
                    out += "COMMIT\n"
                }
                return CommandResult(status: 0, stdout: out, stderr: "")
            }
        }
        if cmd == "iptables-\(flavour)-restore" {
            return state.withLock { s in
                s.restores.append(input)
                if s.failNextRestore { s.failNextRestore = false; return CommandResult(status: 1, stdout: "", stderr: "injected failure") }
                var work = s.tables
                var table = ""
                for raw in input.split(separator: "\n") {
                    let line = String(raw)
                    if line.hasPrefix("*") { table = String(line.dropFirst()); continue }
                    if line == "COMMIT" { continue }
                    var chains = work[table] ?? []
                    func index(_ n: String) -> Int? { chains.firstIndex { $0.name == n } }
                    if line.hasPrefix(":") {
                        let name = String(line.dropFirst().prefix { $0 != " " })
                        if let i = index(name) { chains[i].rules = [] } else { chains.append((name, [])) }
                    } else {
                        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
                        guard parts.count >= 2 else { return CommandResult(status: 2, stdout: "", stderr: "bad line \(line)") }
                        let (op, name) = (parts[0], parts[1])
                        guard let i = index(name) else { return CommandResult(status: 1, stdout: "", stderr: "chain \(name) does not exist") }
                        switch op {
                        case "-A": chains[i].rules.append(parts[2])
                        case "-I":
                            let rest = parts[2].split(separator: " ", maxSplits: 1).map(String.init)
                            chains[i].rules.insert(rest[1], at: min(max(0, (Int(rest[0]) ?? 1) - 1), chains[i].rules.count))
                        case "-D":
                            guard let j = chains[i].rules.firstIndex(of: parts[2]) else { return CommandResult(status: 1, stdout: "", stderr: "no such rule") }
                            chains[i].rules.remove(at: j)
                        case "-X":
                            let referenced = chains.contains { $0.rules.contains { $0.hasSuffix("-j \(name)") || $0.contains("-j \(name) ") } }
                            guard chains[i].rules.isEmpty, !referenced else { return CommandResult(status: 1, stdout: "", stderr: "chain \(name) in use") }
                            chains.remove(at: i)
                        default: return CommandResult(status: 2, stdout: "", stderr: "unknown \(op)")
                        }
                    }
                    // Every jump target must exist when the table commits (checked per rule here).
                    work[table] = chains
                }
                for (_, chains) in work {
                    let names = Set(chains.map(\.name))
                    for c in chains {
                        for r in c.rules {
                            if let range = r.firstRange(of: "-j EDGE-") {
                                let target = String(r[range.lowerBound...].dropFirst(3).prefix { $0 != " " })
                                if !names.contains(target) { return CommandResult(status: 1, stdout: "", stderr: "Couldn't load target `\(target)'") }
                            }
                        }
                    }
                }
                s.tables = work
                return CommandResult(status: 0, stdout: "", stderr: "")
            }
        }
        if cmd == "iptables-\(flavour)", let s = argv.firstIndex(of: "-S"), s + 1 < argv.count, let t = argv.firstIndex(of: "-t") {
            let (table, chain) = (argv[t + 1], argv[s + 1])
            guard let rules = rules(table, chain) else { return CommandResult(status: 1, stdout: "", stderr: "No chain/target/match by that name.") }
            return CommandResult(status: 0, stdout: "-N \(chain)\n" + rules.map { "-A \(chain) \($0)\n" }.joined(), stderr: "")
        }
        if cmd == "conntrack" { return CommandResult(status: 0, stdout: "", stderr: "") }
        return nil
    }
}
