import EdgeAPI

/// What `nft -j list table` shows of a table, reduced to what a verify
/// compares: the rules per chain, the elements per map or set.
public struct NFTablesListing: Equatable, Sendable {
    public var ruleCounts: [String: Int] = [:]
    public var elementCounts: [String: Int] = [:]

    /// nil when the text is not nft's JSON.
    static func parse(_ text: String) -> NFTablesListing? {
        guard let json = try? JSONParser.parse(text), let items = json["nftables"]?.array else { return nil }
        var out = NFTablesListing()
        for item in items {
            if let chain = item["chain"]?["name"]?.string { out.ruleCounts[chain, default: 0] += 0 }
            if let rule = item["rule"], let chain = rule["chain"]?.string { out.ruleCounts[chain, default: 0] += 1 }
            for kind in ["map", "set"] {
                if let m = item[kind], let name = m["name"]?.string { out.elementCounts[name] = m["elem"]?.array?.count ?? 0 }
            }
        }
        return out
    }
}
