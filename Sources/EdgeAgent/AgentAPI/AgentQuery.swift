import EdgeAPI

/// A request target's query with repeated keys kept in order (exec's
/// `command=sh&command=-c&command=...`), percent-decoded.
struct AgentQuery: Equatable {
    var items: [(String, String)]

    init(_ raw: Substring) {
        items = raw.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (PercentEncoding.decode(kv[0], plusIsSpace: true), kv.count > 1 ? PercentEncoding.decode(kv[1], plusIsSpace: true) : "")
        }
    }

    func first(_ key: String) -> String? { items.first { $0.0 == key }?.1 }
    func all(_ key: String) -> [String] { items.filter { $0.0 == key }.map { $0.1 } }

    static func == (a: AgentQuery, b: AgentQuery) -> Bool { a.items.elementsEqual(b.items) { $0 == $1 } }
}
