/// The apply view of a built-in kind: the wire schema's types, with list
/// types deduced as upstream's markers say (a strategic merge key makes a map
/// list, a merged list of scalars a set, anything else atomic) and
/// `BuiltinApplyMarkers` where upstream's markers differ from that.
public struct BuiltinTypeSchema: TypeSchemaNode {
    let schema: APISchema
    let type: APISchema.FieldType
    public let listType: ListType
    public let presenceIsField: Bool
    let owner: String?

    /// The root of kind `r`, nil for a kind the wire schema does not hold.
    public static func root(for r: ResourceInfo, schema: APISchema = .shared) -> BuiltinTypeSchema? {
        schema.messageName(for: r).map { BuiltinTypeSchema(schema: schema, type: .message($0), listType: .atomic, presenceIsField: false, owner: nil) }
    }

    /// ObjectMeta, for objects whose own schema does not describe it (custom resources).
    public static let objectMeta = BuiltinTypeSchema(schema: .shared, type: .message(BuiltinApplyMarkers.meta + "ObjectMeta"),
                                                     listType: .atomic, presenceIsField: false, owner: nil)

    init(schema: APISchema, type: APISchema.FieldType, listType: ListType, presenceIsField: Bool, owner: String?) {
        self.schema = schema
        self.type = type
        self.listType = listType
        self.presenceIsField = presenceIsField
        self.owner = owner
    }

    public func field(_ name: String) -> (any TypeSchemaNode)? {
        switch type {
        case .message(let m):
            if APISchema.freeformMessages.contains(m) { return DeducedTypeSchema() }
            guard let f = schema.fields(of: m)[name] else { return nil }
            let marker = BuiltinApplyMarkers.lists[m + "." + name]
            var listType = ListType.atomic
            if case .repeated(let inner) = f.type {
                if let marker { listType = marker } else if let key = f.patch.mergeKey {
                    listType = .map(keys: [key])
                } else if f.patch.merges, !Self.holdsObjects(inner) {
                    listType = .set
                }
            }
            let presence: Bool
            switch f.type {
            case .message(let inner): presence = f.pointer || !(schema.fields[inner] != nil && !APISchema.scalarMessages.contains(inner))
            default: presence = true
            }
            return BuiltinTypeSchema(schema: schema, type: f.type, listType: listType, presenceIsField: presence, owner: m + "." + name)
        case .map(let inner):
            return BuiltinTypeSchema(schema: schema, type: inner, listType: .atomic, presenceIsField: true, owner: nil)
        default:
            return nil
        }
    }

    public var elements: (any TypeSchemaNode)? {
        guard case .repeated(let inner) = type else { return nil }
        return BuiltinTypeSchema(schema: schema, type: inner, listType: .atomic, presenceIsField: true, owner: nil)
    }

    public var isAtomic: Bool {
        switch type {
        case .message(let m):
            return APISchema.freeformMessages.contains(m) || BuiltinApplyMarkers.atomicStructs.contains(m)
        case .map:
            return owner.map { BuiltinApplyMarkers.atomicMaps.contains($0) } ?? false
        default:
            return true
        }
    }

    public var keyDefaults: [String: JSON] {
        guard case .map(let keys) = listType, keys.contains("protocol") else { return [:] }
        return ["protocol": "TCP"]
    }

    static func holdsObjects(_ t: APISchema.FieldType) -> Bool {
        if case .message(let m) = t { return !APISchema.scalarMessages.contains(m) }
        return false
    }
}
