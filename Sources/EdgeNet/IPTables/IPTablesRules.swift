/// The rules edgectl wants in the kernel: every chain it owns, per table,
/// with their rules in order, and the jumps into them from built-in chains.
public struct IPTablesRules: Equatable, Sendable {
    /// table -> chain -> rules; each rule as its arguments after `-A CHAIN`.
    public var tables: [String: [String: [String]]] = [:]
    public var jumps: [IPTablesJump] = []

    public init() {}

    public mutating func chain(_ table: String, _ name: String) {
        if tables[table]?[name] == nil { tables[table, default: [:]][name] = [] }
    }

    public mutating func append(_ table: String, _ chain: String, _ rule: String) {
        tables[table, default: [:]][chain, default: []].append(rule)
    }

    public mutating func set(_ table: String, _ chain: String, _ rules: [String]) {
        tables[table, default: [:]][chain] = rules
    }

    public var ruleCount: Int { tables.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } } }
}
