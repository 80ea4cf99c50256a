/// What changed between two versions of an object, as sets of field paths
/// (upstream's typed Compare): fields only the new one has, fields whose
/// value differs, fields only the old one has. An Update operation owns what
/// it added or modified; everyone loses what it removed.
public struct ObjectComparison: Sendable {
    public var added = FieldSet()
    public var modified = FieldSet()
    public var removed = FieldSet()

    public var isEmpty: Bool { added.isEmpty && modified.isEmpty && removed.isEmpty }

    public static func compare(_ old: JSON?, _ new: JSON?, schema: (any TypeSchemaNode)?) -> ObjectComparison {
        var c = ObjectComparison()
        let root: any TypeSchemaNode = schema ?? DeducedTypeSchema()
        let o = old?.object ?? JSONObject(), n = new?.object ?? JSONObject()
        for k in Self.keys(o, n) {
            c.attach(PathElement.field(k).text, walk(o[k], n[k], root.field(k) ?? DeducedTypeSchema()))
        }
        return c
    }

    mutating func attach(_ key: String, _ child: ObjectComparison) {
        if !child.added.isEmpty { added.children[key] = child.added }
        if !child.modified.isEmpty { modified.children[key] = child.modified }
        if !child.removed.isEmpty { removed.children[key] = child.removed }
    }

    static func keys(_ a: JSONObject, _ b: JSONObject) -> [String] {
        var out = a.keys
        for k in b.keys where a[k] == nil { out.append(k) }
        return out
    }

    static func isEmptyContainer(_ v: JSON?) -> Bool {
        switch v {
        case nil: return true
        case .object(let o)?: return o.isEmpty
        case .array(let a)?: return a.isEmpty
        default: return false
        }
    }

    static func walk(_ old: JSON?, _ new: JSON?, _ schema: any TypeSchemaNode) -> ObjectComparison {
        var c = ObjectComparison()
        // A map of scalars on one side only (a big ConfigMap's data being created or deleted): its
        // keys in one pass, without a comparison per key.
        if let side = old == nil ? new : (new == nil ? old : nil), case .object(let o) = side, !o.isEmpty, !schema.isAtomic,
           o.values.allSatisfy({ $0.object == nil && $0.array == nil }) {
            var set = FieldSet()
            set.children.reserveCapacity(o.count)
            var leaf = FieldSet()
            leaf.member = true
            for k in o.keys { set.children[PathElement.field(k).text] = leaf }
            set.member = schema.presenceIsField
            if old == nil { c.added = set } else { c.removed = set }
            return c
        }
        // Both sides empty or missing: a leaf, so `{}` appearing is a change.
        let bothEmpty = isEmptyContainer(old) && isEmptyContainer(new)
        if !schema.isAtomic, !bothEmpty, old?.object != nil || old == nil, new?.object != nil || new == nil {
            let o = old?.object ?? JSONObject(), n = new?.object ?? JSONObject()
            for k in keys(o, n) {
                c.attach(PathElement.field(k).text, walk(o[k], n[k], schema.field(k) ?? DeducedTypeSchema()))
            }
            c.presence(old, new, schema)
            return c
        }
        if schema.listType != .atomic, !bothEmpty, old?.array != nil || old == nil, new?.array != nil || new == nil,
           let merged = listWalk(old?.array ?? [], new?.array ?? [], schema) {
            return merged
        }
        if old == nil { c.added.member = true } else if new == nil { c.removed.member = true } else if old != new { c.modified.member = true }
        return c
    }

    mutating func presence(_ old: JSON?, _ new: JSON?, _ schema: any TypeSchemaNode) {
        guard schema.presenceIsField else { return }
        if old == nil { added.member = true } else if new == nil { removed.member = true }
    }

    /// Elements matched by key; nil when either side cannot be keyed (then the list compares whole).
    static func listWalk(_ old: [JSON], _ new: [JSON], _ schema: any TypeSchemaNode) -> ObjectComparison? {
        guard case .success(let oldKeys) = ListElementKeys.keys(old, schema.listType, defaults: schema.keyDefaults),
              case .success(let newKeys) = ListElementKeys.keys(new, schema.listType, defaults: schema.keyDefaults) else { return nil }
        var c = ObjectComparison()
        let element = schema.elements ?? DeducedTypeSchema()
        var oldByKey: [String: Int] = [:]
        for (i, k) in oldKeys.enumerated() { oldByKey[k] = i }
        var newByKey: [String: Int] = [:]
        for (i, k) in newKeys.enumerated() { newByKey[k] = i }
        for (i, k) in oldKeys.enumerated() where newByKey[k] == nil {
            var child = schema.listType == .set ? ObjectComparison() : walk(old[i], nil, element)
            child.removed.member = true
            c.attach(k, child)
        }
        for (j, k) in newKeys.enumerated() {
            if let i = oldByKey[k] {
                if schema.listType != .set { c.attach(k, walk(old[i], new[j], element)) }
            } else {
                var child = schema.listType == .set ? ObjectComparison() : walk(nil, new[j], element)
                child.added.member = true
                c.attach(k, child)
            }
        }
        return c
    }
}
