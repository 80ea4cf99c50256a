/// Brings the kernel to the wanted rules with as little iptables work as the
/// moment allows, always in one `iptables-restore --noflush` transaction:
///
/// - partial: rewrites only the chains whose rules differ from what was last
///   applied, deletes the ones no longer wanted (kube-proxy's partial sync);
/// - verify: reads the kernel's copy of our chains and rewrites those that
///   are missing or whose rule count changed (someone deleted or added rules
///   by hand), puts back missing jumps from built-in chains, removes leftover
///   chains of ours;
/// - full: rewrites every chain of ours and removes leftovers (first sync,
///   after a failure, and now and then).
///
/// Only chains with our prefix are ever declared, flushed or deleted. One
/// syncer per agent, used from one task at a time.
public final class IPTablesSyncer: @unchecked Sendable {
    public enum Mode: String, Sendable { case partial, verify, full }

    public struct Outcome: Equatable, Sendable {
        public var mode: Mode
        public var chainsWritten = 0
        public var chainsDeleted = 0
        public var jumpsInserted = 0
        public var inputBytes = 0
    }

    public let client: IPTablesClient
    /// What we last committed, per table; trusted only after a successful full or verify sync.
    private(set) var applied: [String: [String: [String]]] = [:]
    private var trusted = false
    /// The last transaction sent (benchmarks replay it with a bare iptables-restore).
    public private(set) var lastInput = ""

    public init(client: IPTablesClient) { self.client = client }

    /// A failed transaction leaves the kernel in an unknown state: the next sync is a full one.
    public func sync(_ desired: IPTablesRules, mode requested: Mode) throws -> Outcome {
        let mode: Mode = trusted || requested == .full ? requested : .full
        var outcome = Outcome(mode: mode)
        var tables = Set(desired.tables.keys).union(applied.keys).union(desired.jumps.map(\.table))
        tables.remove("")
        var text = ""
        for table in tables.sorted() {
            let want = desired.tables[table] ?? [:]
            let jumps = desired.jumps.filter { $0.table == table }
            var write: [String] = []
            var delete: [String] = []
            var missingJumps: [IPTablesJump] = []
            switch mode {
            case .partial:
                let have = applied[table] ?? [:]
                write = want.keys.filter { have[$0] != want[$0] }
                delete = have.keys.filter { want[$0] == nil }
            case .verify, .full:
                let kernel = try trustedSave(table)
                let ours = kernel.chains.filter { ChainOwnership.owns($0.key) }
                if mode == .full {
                    write = Array(want.keys)
                } else {
                    let have = applied[table] ?? [:]
                    write = want.keys.filter { ours[$0]?.count != want[$0]?.count || have[$0] != want[$0] }
                }
                delete = ours.keys.filter { want[$0] == nil }
                missingJumps = jumps.filter { !$0.present(in: kernel.chains[$0.chain] ?? []) }
            }
            guard !write.isEmpty || !delete.isEmpty || !missingJumps.isEmpty else { continue }
            write.sort()
            delete.sort()
            text += "*\(table)\n"
            for c in write + delete { text += ":\(c) - [0:0]\n" }
            for c in write {
                for r in want[c] ?? [] { text += "-A \(c) \(r)\n" }
            }
            for c in delete { text += "-X \(c)\n" }
            // Inserted first-to-last at the top, so they end up in the listed order.
            for j in missingJumps.reversed() { text += "-I \(j.chain) 1 \(j.rule)\n" }
            text += "COMMIT\n"
            outcome.chainsWritten += write.count
            outcome.chainsDeleted += delete.count
            outcome.jumpsInserted += missingJumps.count
        }
        outcome.inputBytes = text.utf8.count
        if !text.isEmpty {
            lastInput = text
            do { try client.restore(text) } catch {
                trusted = false
                throw error
            }
        }
        applied = desired.tables.filter { !$0.value.isEmpty }
        trusted = true
        return outcome
    }

    /// A cheap look at the kernel between full verifies: the built-in chains our
    /// jumps live in and the chains `spotCheck` picks (the dispatch chains), each
    /// listed on its own. false when a jump or a rule is missing there, or a chain
    /// is gone: then a verify sync is worth its cost.
    public func looksIntact(_ desired: IPTablesRules, spotCheck: (String) -> Bool) throws -> Bool {
        for (table, chains) in desired.tables {
            for (chain, rules) in chains where spotCheck(chain) {
                guard let have = try client.list(table: table, chain: chain), have.count == rules.count else { return false }
            }
        }
        for (key, jumps) in Dictionary(grouping: desired.jumps, by: { $0.table + " " + $0.chain }) {
            let parts = key.split(separator: " ").map(String.init)
            let have = try client.list(table: parts[0], chain: parts[1]) ?? []
            if jumps.contains(where: { !$0.present(in: have) }) { return false }
        }
        return true
    }

    private func trustedSave(_ table: String) throws -> SavedTable {
        do { return try client.save(table: table) } catch {
            trusted = false
            throw error
        }
    }

    /// Removes every chain of ours and the jumps into them (edgectl's clean-up; the
    /// agent itself leaves its rules in place when it stops, so services keep working).
    /// `keeping` names chains of ours to leave in place with their jumps.
    public func removeAll(tables: [String] = ["filter", "nat"], keeping: Set<String> = []) throws -> Int {
        var text = ""
        var removed = 0
        for table in tables {
            let kernel = try client.save(table: table)
            let ours = kernel.chains.keys.filter { ChainOwnership.owns($0) && !keeping.contains($0) }.sorted()
            func jumpsToRemoved(_ r: String) -> Bool { ours.contains { r.hasSuffix("-j " + $0) || r.contains("-j " + $0 + " ") } }
            var lines: [String] = []
            // Every rule of a built-in chain that jumps to one of ours, whoever's jump list it came from.
            for (chain, rules) in kernel.chains where ChainOwnership.builtIn.contains(chain) {
                for r in rules where jumpsToRemoved(r) { lines.append("-D \(chain) \(r)") }
            }
            // A kept chain that jumps to a removed one is rewritten without those rules (else -X fails).
            var rewritten: [String: [String]] = [:]
            for c in keeping.sorted() {
                if let rules = kernel.chains[c], rules.contains(where: jumpsToRemoved) { rewritten[c] = rules.filter { !jumpsToRemoved($0) } }
            }
            guard !ours.isEmpty || !lines.isEmpty else { continue }
            text += "*\(table)\n"
            for c in ours + rewritten.keys.sorted() { text += ":\(c) - [0:0]\n" }
            for l in lines { text += l + "\n" }
            for (c, rules) in rewritten.sorted(by: { $0.key < $1.key }) { for r in rules { text += "-A \(c) \(r)\n" } }
            for c in ours { text += "-X \(c)\n" }
            text += "COMMIT\n"
            removed += ours.count
        }
        if !text.isEmpty { try client.restore(text) }
        applied = [:]
        trusted = false
        return removed
    }
}
