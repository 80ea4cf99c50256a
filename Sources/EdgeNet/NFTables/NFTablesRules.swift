/// The wanted content of one nftables table, as nft statements: chain and
/// set/map declarations, each chain's rules, each map's elements. Kept as
/// text so a sync compares and writes whole chains and single elements.
public struct NFTablesRules: Equatable, Sendable {
    /// Chain name -> declaration body: "" for a regular chain, `{ type nat hook ... ; }` for a base chain.
    public var chains: [String: String] = [:]
    public var rules: [String: [String]] = [:]
    /// Set or map name -> its declaration (`map NAME { type ... ; }`).
    public var sets: [String: String] = [:]
    /// Map or set name -> element key -> value ("" for a set's element).
    public var elements: [String: [String: String]] = [:]

    public init() {}

    public var ruleCount: Int { rules.values.reduce(0) { $0 + $1.count } }
    public var elementCount: Int { elements.values.reduce(0) { $0 + $1.count } }

    mutating func chain(_ name: String, _ declaration: String = "", _ body: [String]) {
        chains[name] = declaration
        rules[name] = body
    }

    mutating func removeChain(_ name: String) {
        chains[name] = nil
        rules[name] = nil
    }
}
