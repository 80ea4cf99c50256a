/// One table as `iptables-save -t TABLE` printed it: chains in order of
/// declaration, each with its rules (arguments after `-A CHAIN`).
public struct SavedTable: Equatable, Sendable {
    public var chains: [String: [String]] = [:]
    /// Built-in chains' policies (ACCEPT, DROP) as declared; user chains have none.
    public var policies: [String: String] = [:]

    public init(chains: [String: [String]] = [:], policies: [String: String] = [:]) {
        self.chains = chains
        self.policies = policies
    }

    /// Parses the table named `table` out of save output (which may hold several).
    public static func parse(_ text: String, table: String) -> SavedTable {
        var out = SavedTable()
        var inTable = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix("*") { inTable = line.dropFirst() == table; continue }
            guard inTable else { continue }
            if line.hasPrefix(":") {
                let name = line.dropFirst().prefix { $0 != " " }
                if out.chains[String(name)] == nil { out.chains[String(name)] = [] }
                let policy = line.dropFirst(1 + name.count).drop { $0 == " " }.prefix { $0 != " " }
                if !policy.isEmpty && policy != "-" { out.policies[String(name)] = String(policy) }
            } else if line.hasPrefix("-A ") {
                let rest = line.dropFirst(3)
                let name = String(rest.prefix { $0 != " " })
                let rule = rest.dropFirst(name.count).drop { $0 == " " }
                out.chains[name, default: []].append(String(rule))
            } else if line == "COMMIT" {
                inTable = false
            }
        }
        return out
    }
}
