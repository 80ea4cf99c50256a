import EdgeAPI

/// A named index over an informer's cache (client-go's Indexers): the values
/// an object is filed under, so readers ask "pods on node n" or "objects owned
/// by uid u" without scanning every cached object.
public struct InformerIndex: Sendable {
    public let name: String
    public let values: @Sendable (JSON) -> [String]

    public init(name: String, values: @escaping @Sendable (JSON) -> [String]) {
        self.name = name
        self.values = values
    }

    /// metadata.namespace ("" for cluster-scoped objects).
    public static let namespace = InformerIndex(name: "namespace") { [$0[path: ["metadata", "namespace"]]?.string ?? ""] }

    /// Every owner's uid in metadata.ownerReferences (the garbage collector's view).
    public static let ownerUID = InformerIndex(name: "ownerUID") { o in
        (o[path: ["metadata", "ownerReferences"]]?.array ?? []).compactMap { $0["uid"]?.string }
    }

    /// The controlling owner's uid (the owner reference with controller: true).
    public static let controllerUID = InformerIndex(name: "controllerUID") { o in
        (o[path: ["metadata", "ownerReferences"]]?.array ?? []).first { $0["controller"]?.bool == true }?["uid"]?.string.map { [$0] } ?? []
    }

    /// spec.nodeName of pods that are bound.
    public static let nodeName = InformerIndex(name: "nodeName") { o in
        guard let n = o[path: ["spec", "nodeName"]]?.string, !n.isEmpty else { return [] }
        return [n]
    }
}

/// The keys filed under each value of one index.
struct IndexTable: Sendable {
    let index: InformerIndex
    var keysByValue: [String: Set<String>] = [:]

    init(_ index: InformerIndex) { self.index = index }

    mutating func insert(_ key: String, _ obj: JSON) {
        for v in index.values(obj) { keysByValue[v, default: []].insert(key) }
    }

    mutating func remove(_ key: String, _ obj: JSON) {
        for v in index.values(obj) {
            keysByValue[v]?.remove(key)
            if keysByValue[v]?.isEmpty == true { keysByValue[v] = nil }
        }
    }
}
