import Synchronization
@testable import EdgeNet

/// One nftables table in memory behind the `nft` command: `-f -` runs the
/// statements the syncer writes as one transaction (all or nothing) with the
/// kernel's refusals that matter (a chain deleted while it holds rules or is
/// named by a rule or element, a missing chain or element, an element added
/// twice with another value), `list tables` and `-j list table` print it.
final class FakeNFTables: CommandRunning, @unchecked Sendable {
    struct Table: Equatable {
        var chains: [String: [String]] = [:]
        var sets: [String: String] = [:]
        var elements: [String: [String: String]] = [:]
    }

    struct State {
        var table: Table?
        var scripts: [String] = []
        var listings = 0
    }

    let state = Mutex(State())
    let name: String

    init(table: String = "edgectl-proxy") { name = table }

    var scripts: [String] { state.withLock { $0.scripts } }
    var table: Table? { state.withLock { $0.table } }
    var listings: Int { state.withLock { $0.listings } }

    /// Edits by hand, as an admin would with nft flush / delete.
    func edit(_ body: (inout Table?) -> Void) { state.withLock { body(&$0.table) } }

    func run(_ argv: [String], input: String) -> CommandResult? {
        guard argv.first == "nft" else { return argv.first == "conntrack" ? CommandResult(status: 0, stdout: "", stderr: "") : nil }
        let args = Array(argv.dropFirst())
        if args == ["-f", "-"] { return apply(input) }
        if args.prefix(2) == ["list", "tables"] {
            return CommandResult(status: 0, stdout: table == nil ? "" : "table ip \(name)\n", stderr: "")
        }
        if args == ["-j", "list", "table", "ip", name] {
            return state.withLock { s in
                s.listings += 1
                guard let t = s.table else { return CommandResult(status: 1, stdout: "", stderr: "No such file or directory") }
                var items = ["{\"metainfo\": {\"json_schema_version\": 1}}", "{\"table\": {\"family\": \"ip\", \"name\": \"\(name)\"}}"]
                for (c, rules) in t.chains.sorted(by: { $0.key < $1.key }) {
                    items.append("{\"chain\": {\"family\": \"ip\", \"table\": \"\(name)\", \"name\": \"\(c)\"}}")
                    for _ in rules { items.append("{\"rule\": {\"family\": \"ip\", \"table\": \"\(name)\", \"chain\": \"\(c)\", \"expr\": []}}") }
                }
                for (set, decl) in t.sets.sorted(by: { $0.key < $1.key }) {
                    let kind = decl.hasPrefix("map") ? "map" : "set"
                    let elems = (t.elements[set] ?? [:]).keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                    items.append("{\"\(kind)\": {\"name\": \"\(set)\"\(elems.isEmpty ? "" : ", \"elem\": [\(elems)]")}}")
                }
                return CommandResult(status: 0, stdout: "{\"nftables\": [" + items.joined(separator: ", ") + "]}", stderr: "")
            }
        }
        return CommandResult(status: 1, stdout: "", stderr: "fake nft: unknown command \(args)")
    }

    private func apply(_ script: String) -> CommandResult {
        state.withLock { s in
            s.scripts.append(script)
            var t = s.table
            let prefix = "ip \(name) "
            func fail(_ why: String) -> CommandResult { CommandResult(status: 1, stdout: "", stderr: "Error: \(why)") }
            for raw in script.split(separator: "\n") {
                let line = String(raw)
                func after(_ verb: String) -> String? {
                    guard line.hasPrefix(verb + " " + prefix) else { return nil }
                    return String(line.dropFirst(verb.count + 1 + prefix.count))
                }
                if line == "add table ip \(name)" { if t == nil { t = Table() }; continue }
                if line == "delete table ip \(name)" { guard t != nil else { return fail("no table") }; t = nil; continue }
                guard var tab = t else { return fail("No such file or directory: table") }
                if let rest = after("add chain") {
                    let n = String(rest.prefix { $0 != " " })
                    if tab.chains[n] == nil { tab.chains[n] = [] }
                } else if let n = after("flush chain") {
                    guard tab.chains[n] != nil else { return fail("no chain \(n)") }
                    tab.chains[n] = []
                } else if let n = after("delete chain") {
                    guard let rules = tab.chains[n], rules.isEmpty else { return fail("chain \(n) missing or not empty") }
                    let used = tab.chains.values.contains { $0.contains { $0.contains("goto \(n)") || $0.contains("jump \(n)") } }
                        || tab.elements.values.contains { $0.values.contains { $0 == "goto \(n)" || $0 == "jump \(n)" } }
                    if used { return fail("chain \(n) in use") }
                    tab.chains[n] = nil
                } else if let rest = after("add rule") {
                    let n = String(rest.prefix { $0 != " " })
                    guard tab.chains[n] != nil else { return fail("no chain \(n)") }
                    let rule = String(rest.dropFirst(n.count + 1))
                    for word in rule.split(separator: " ") where word.hasPrefix("@") {
                        guard tab.sets[String(word.dropFirst())] != nil else { return fail("no set \(word)") }
                    }
                    tab.chains[n]!.append(rule)
                } else if let rest = after("add map") ?? after("add set") {
                    let n = String(rest.prefix { $0 != " " })
                    if tab.sets[n] == nil {
                        tab.sets[n] = (line.hasPrefix("add map") ? "map" : "set") + rest.dropFirst(n.count)
                        tab.elements[n] = [:]
                    }
                } else if let n = after("delete map") ?? after("delete set") {
                    let used = tab.chains.values.contains { $0.contains { $0.contains("@\(n) ") || $0.hasSuffix("@\(n)") } }
                    guard tab.sets[n] != nil, !used else { return fail("set \(n) missing or in use") }
                    tab.sets[n] = nil
                    tab.elements[n] = nil
                } else if let rest = after("add element") ?? after("delete element") {
                    let n = String(rest.prefix { $0 != " " })
                    guard tab.sets[n] != nil else { return fail("no set \(n)") }
                    let body = rest.dropFirst(n.count).fakeTrim(" {}")
                    for item in body.split(separator: ",").map({ $0.fakeTrim(" ") }) {
                        let parts = item.fakeSplit(" : ")
                        let key = parts[0], value = parts.count > 1 ? parts[1] : ""
                        if line.hasPrefix("add") {
                            if let old = tab.elements[n]?[key], old != value { return fail("element \(key) exists with another value") }
                            if value.hasPrefix("goto ") || value.hasPrefix("jump ") {
                                guard tab.chains[String(value.dropFirst(5))] != nil else { return fail("no chain for \(value)") }
                            }
                            tab.elements[n, default: [:]][key] = value
                        } else {
                            guard tab.elements[n]?[key] != nil else { return fail("no element \(key)") }
                            tab.elements[n]?[key] = nil
                        }
                    }
                } else {
                    return fail("fake nft does not know: \(line)")
                }
                t = tab
            }
            // Every rule's jump and goto (vmap arms included) must name a chain when the transaction commits.
            if let tab = t {
                for rules in tab.chains.values {
                    for r in rules {
                        let words = r.split(separator: " ").map { String($0).fakeTrim(",{}") }
                        for (i, w) in words.enumerated() where (w == "goto" || w == "jump") && i + 1 < words.count {
                            guard tab.chains[words[i + 1]] != nil else { return fail("no chain \(words[i + 1]) for \(r)") }
                        }
                    }
                }
            }
            s.table = t
            return CommandResult(status: 0, stdout: "", stderr: "")
        }
    }
}

extension StringProtocol {
    func fakeTrim(_ chars: String) -> String {
        let set = Set(chars)
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }

    func fakeSplit(_ sep: String) -> [String] {
        var out: [String] = [], rest = Substring(self)
        while let r = rest.firstRange(of: sep) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}
