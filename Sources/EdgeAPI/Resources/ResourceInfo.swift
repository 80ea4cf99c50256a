/// One REST resource: where it lives, what it is called, and which
/// subresources it has. Discovery, routing, storage keys and OpenAPI all read
/// this one description so they cannot disagree. What the server does with
/// the resource's objects (defaults, validation, table, field selectors) is
/// its strategy's, in the registry; clients need only this.
public struct ResourceInfo: Sendable, Hashable {
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
    /// What discovery says the resource answers: the standard verbs, or only `create` for the
    /// review resources (SelfSubjectAccessReview, TokenReview), which are answered, never stored.
    public var verbs: [String]
    /// The kind of a list of these objects: Kind+"List", or a custom resource's spec.names.listKind.
    public var listKind: String

    public init(group: String, version: String, kind: String, plural: String, singular: String? = nil, namespaced: Bool,
                shortNames: [String] = [], categories: [String] = [], subresources: [String] = [],
                verbs: [String] = ResourceInfo.standardVerbs, listKind: String? = nil) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular ?? kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.verbs = verbs
        self.listKind = listKind ?? kind + "List"
    }

    /// A resource only created, answered and forgotten (the review kinds).
    public var isCreateOnly: Bool { verbs == ["create"] }

    /// `v1` or `apps/v1`, the apiVersion objects of this resource carry.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
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
}
