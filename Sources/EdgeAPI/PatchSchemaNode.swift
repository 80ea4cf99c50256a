/// What strategic merge patch needs to know about a field: how its lists merge.
/// Implemented by the API type schema (APISchema); the patch code depends only
/// on this protocol so it works (as a plain merge) for types it does not know.
public protocol PatchSchemaNode: Sendable {
    /// The schema of object field `name`, with its patch metadata; nil when unknown.
    func field(_ name: String) -> (node: any PatchSchemaNode, meta: PatchMeta)?
    /// For a list: its element; for a map (additionalProperties): its value type.
    var items: (any PatchSchemaNode)? { get }
}

/// `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` of a field.
public struct PatchMeta: Sendable, Equatable {
    /// e.g. ["merge"], ["retainKeys"], ["merge", "retainKeys"]; empty means replace for lists.
    public var strategies: [String]
    public var mergeKey: String?

    public init(strategies: [String] = [], mergeKey: String? = nil) {
        self.strategies = strategies
        self.mergeKey = mergeKey
    }

    public var merges: Bool { strategies.contains("merge") }
    public var retainsKeys: Bool { strategies.contains("retainKeys") }
}
