/// What server-side apply needs to know about one place in an object's type:
/// how its lists merge (upstream's `x-kubernetes-list-type` and
/// `-list-map-keys`), whether an object or map is replaced as a whole
/// (`x-kubernetes-map-type: atomic`, Go's `+structType=atomic`), and whether
/// its presence is itself a field. Built-in kinds answer from
/// `BuiltinTypeSchema` (the wire schema plus upstream's markers); custom
/// resources answer from their structural schema. Field tracking, merge and
/// pruning depend only on this protocol.
public protocol TypeSchemaNode: Sendable {
    /// The schema of object field `name` (for a map, its value type); nil when the type does not name it.
    func field(_ name: String) -> (any TypeSchemaNode)?
    /// The elements of a list.
    var elements: (any TypeSchemaNode)? { get }
    /// How a list here merges; lists without a marker are atomic (as upstream).
    var listType: ListType { get }
    /// Replaced as a whole by whoever sets it, never merged field by field.
    var isAtomic: Bool { get }
    /// Whether an object here that appears or goes is itself a changed field (a map, an optional
    /// struct, a list element), or only its contents are (a struct every object of the type holds).
    var presenceIsField: Bool { get }
    /// For a map list: values of key fields an element may leave out (a port's protocol is TCP).
    var keyDefaults: [String: JSON] { get }
}

/// Upstream's `x-kubernetes-list-type`.
public enum ListType: Sendable, Equatable {
    /// Replaced as a whole.
    case atomic
    /// Scalars, each owned on its own.
    case set
    /// Objects identified by the values of their key fields.
    case map(keys: [String])
}

extension TypeSchemaNode {
    public var keyDefaults: [String: JSON] { [:] }
}

/// A place the type does not describe (free-form fields, unknown fields): objects merge field by
/// field, lists are atomic, as upstream's deduced schema.
public struct DeducedTypeSchema: TypeSchemaNode {
    public init() {}
    public func field(_ name: String) -> (any TypeSchemaNode)? { self }
    public var elements: (any TypeSchemaNode)? { self }
    public var listType: ListType { .atomic }
    public var isAtomic: Bool { false }
    public var presenceIsField: Bool { true }
}
