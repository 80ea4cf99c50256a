/// One REST resource the API server serves: where it lives, what it is called,
/// and what may be done to it. Discovery, routing, storage keys and OpenAPI all
/// read this one description so they cannot disagree.
public struct ResourceInfo: Sendable, Equatable {
    public var group: String
    public var version: String
    public var kind: String
    /// The lower-case plural used in URLs (`pods`).
    public var plural: String
    public var singular: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// e.g. ["status", "scale", "binding"]
    public var subresources: [String]
    /// Field paths accepted by fieldSelector besides metadata.name/namespace.
    public var selectableFields: [String]
    /// Whether spec changes bump metadata.generation (kinds with a spec).
    public var tracksGeneration: Bool

    public init(group: String, version: String, kind: String, plural: String, namespaced: Bool,
                shortNames: [String] = [], categories: [String] = [], subresources: [String] = [],
                selectableFields: [String] = [], tracksGeneration: Bool = false) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.selectableFields = selectableFields
        self.tracksGeneration = tracksGeneration
    }

    /// `v1` or `apps/v1`, the apiVersion objects of this resource carry.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var listKind: String { kind + "List" }
    /// `pods` or `deployments.apps`, as Status messages name resources.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }
    public var hasStatus: Bool { subresources.contains("status") }

    public static let standardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// Storage key prefix: `/registry/pods/` or `/registry/apps/deployments/`.
    public var keyPrefix: String { group.isEmpty ? "/registry/\(plural)/" : "/registry/\(group)/\(plural)/" }

    public func key(namespace: String?, name: String) -> String {
        if namespaced, let namespace { return keyPrefix + namespace + "/" + name }
        return keyPrefix + name
    }

    /// Prefix for a list in one namespace (or all namespaces when nil).
    public func listPrefix(namespace: String?) -> String {
        if namespaced, let namespace { return keyPrefix + namespace + "/" }
        return keyPrefix
    }

    /// All field paths fieldSelector accepts for this resource.
    public var fieldSelectorPaths: [String] {
        (namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"]) + selectableFields
    }
}
