/// Brings one nftables table to the wanted content, always in one `nft -f -`
/// transaction:
///
/// - full: deletes and recreates the whole table in one transaction (no packet
///   sees it half-built; conntrack keeps established flows): first sync, after a
///   failure, after a verify found a difference, and now and then;
/// - partial: declares new chains, flushes and rewrites only chains whose rules
///   changed, deletes and adds only the map elements that changed, then deletes
///   chains and sets no longer wanted (upstream kube-proxy's nftables partial sync);
/// - verify: lists the kernel's table and compares rule and element counts with
///   what was applied; any difference (rules deleted by hand, the table gone)
///   turns it into a full sync.
///
/// One syncer per agent, used from one task at a time.
public final class NFTablesSyncer: @unchecked Sendable {
    public typealias Mode = IPTablesSyncer.Mode

    public struct Outcome: Equatable, Sendable {
        public var mode: Mode
        public var chainsWritten = 0
        public var chainsDeleted = 0
        public var elementsChanged = 0
        public var inputBytes = 0
    }

    public let client: NFTablesClient
    private(set) var applied = NFTablesRules()
    private var trusted = false
    /// The last transaction sent (benchmarks replay it with a bare nft).
    public private(set) var lastInput = ""

    public init(client: NFTablesClient) { self.client = client }

    var prefix: String { "\(client.family) \(client.table)" }

    public func sync(_ desired: NFTablesRules, mode requested: Mode) throws -> Outcome {
        var mode: Mode = trusted || requested == .full ? requested : .full
        if mode == .verify {
            let kernel = try guarded { try client.list() }
            if let kernel, Self.matches(kernel, applied) { return Outcome(mode: .verify) }
            mode = .full
        }
        var outcome = Outcome(mode: mode)
        let text = mode == .full ? fullScript(desired, &outcome) : partialScript(desired, &outcome)
        outcome.inputBytes = text.utf8.count
        if !text.isEmpty {
            lastInput = text
            try guarded { try client.apply(text) }
        }
        applied = desired
        trusted = true
        return outcome
    }

    /// Deletes the table (edgectl's clean-up, and a switch back to the iptables mode).
    @discardableResult
    public func removeAll() throws -> Bool {
        applied = NFTablesRules()
        trusted = false
        return try client.delete()
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch {
            trusted = false
            throw error
        }
    }

    /// Counts only: nft prints rules in its own normal form, so text would never compare equal.
    static func matches(_ kernel: NFTablesListing, _ applied: NFTablesRules) -> Bool {
        for (name, _) in applied.chains where kernel.ruleCounts[name] != (applied.rules[name]?.count ?? 0) { return false }
        for name in kernel.ruleCounts.keys where applied.chains[name] == nil { return false }
        for (name, _) in applied.sets where kernel.elementCounts[name] == nil { return false }
        for (name, elements) in applied.elements where kernel.elementCounts[name] != elements.count { return false }
        return true
    }

    func fullScript(_ d: NFTablesRules, _ outcome: inout Outcome) -> String {
        var t = "add table \(prefix)\ndelete table \(prefix)\nadd table \(prefix)\n"
        for (name, decl) in d.sets.sorted(by: { $0.key < $1.key }) { t += declareSet(name, decl) }
        let chains = d.chains.keys.sorted()
        for c in chains { t += declare(c, d.chains[c] ?? "") }
        for c in chains { for r in d.rules[c] ?? [] { t += "add rule \(prefix) \(c) \(r)\n" } }
        for (map, elements) in d.elements.sorted(by: { $0.key < $1.key }) where !elements.isEmpty {
            t += addElements(map, elements.sorted { $0.key < $1.key })
        }
        outcome.chainsWritten = chains.count
        outcome.elementsChanged = d.elementCount
        return t
    }

    func partialScript(_ d: NFTablesRules, _ outcome: inout Outcome) -> String {
        let have = applied
        var t = ""
        // New sets and maps first: rules below may name them.
        for (name, decl) in d.sets.sorted(by: { $0.key < $1.key }) where have.sets[name] == nil { t += declareSet(name, decl) }
        let written = d.chains.keys.filter { have.chains[$0] == nil || have.rules[$0] != d.rules[$0] }.sorted()
        let deleted = have.chains.keys.filter { d.chains[$0] == nil }.sorted()
        for c in written where have.chains[c] == nil { t += declare(c, d.chains[c] ?? "") }
        // Emptied before anything is deleted: they may jump to chains that go, or name sets that go.
        for c in written where have.chains[c] != nil { t += "flush chain \(prefix) \(c)\n" }
        for c in deleted { t += "flush chain \(prefix) \(c)\n" }
        var adds: [(String, [(key: String, value: String)])] = []
        for map in Set(d.elements.keys).union(have.elements.keys).sorted() {
            let want = d.elements[map] ?? [:], old = have.elements[map] ?? [:]
            // A changed value is a delete and an add: nft's add leaves an existing element as it is.
            let gone = old.filter { want[$0.key] != $0.value }.map(\.key).sorted()
            if !gone.isEmpty, d.sets[map] != nil || have.sets[map] != nil {
                t += "delete element \(prefix) \(map) { \(gone.joined(separator: ", ")) }\n"
            }
            let new = want.filter { old[$0.key] != $0.value }.sorted { $0.key < $1.key }
            if !new.isEmpty { adds.append((map, new)) }
            outcome.elementsChanged += gone.count + new.count
        }
        for c in written { for r in d.rules[c] ?? [] { t += "add rule \(prefix) \(c) \(r)\n" } }
        for (map, new) in adds { t += addElements(map, new) }
        for c in deleted { t += "delete chain \(prefix) \(c)\n" }
        for (name, decl) in have.sets.sorted(by: { $0.key < $1.key }) where d.sets[name] == nil { t += "delete \(Self.kind(decl)) \(prefix) \(name)\n" }
        outcome.chainsWritten = written.count
        outcome.chainsDeleted = deleted.count
        return t
    }

    /// A declaration is its kind and body: `map { type ... ; }` or `set { type ... ; }`.
    static func kind(_ decl: String) -> String { decl.hasPrefix("map") ? "map" : "set" }

    private func declareSet(_ name: String, _ decl: String) -> String {
        let kind = Self.kind(decl)
        return "add \(kind) \(prefix) \(name) \(decl.dropFirst(kind.count))\n"
    }

    private func declare(_ chain: String, _ decl: String) -> String {
        decl.isEmpty ? "add chain \(prefix) \(chain)\n" : "add chain \(prefix) \(chain) \(decl)\n"
    }

    private func addElements(_ map: String, _ elements: [(key: String, value: String)]) -> String {
        var t = ""
        // Batches of a thousand keep each command's line short enough for nft's parser to stay fast.
        var i = 0
        while i < elements.count {
            let batch = elements[i..<min(i + 1000, elements.count)]
            t += "add element \(prefix) \(map) { " + batch.map { $0.value.isEmpty ? $0.key : "\($0.key) : \($0.value)" }.joined(separator: ", ") + " }\n"
            i += 1000
        }
        return t
    }
}
