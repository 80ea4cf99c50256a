/// Removes the fields of a set from an object (upstream's RemoveItems): a
/// member goes with everything under it; a parent is walked into.
public enum FieldRemover {
    public static func remove(_ set: FieldSet, from obj: JSON, schema: (any TypeSchemaNode)?) -> JSON {
        remove(set, obj, schema ?? DeducedTypeSchema())
    }

    static func remove(_ set: FieldSet, _ value: JSON, _ schema: any TypeSchemaNode) -> JSON {
        switch value {
        case .object(var o):
            for (key, child) in set.children {
                guard case .field(let name)? = PathElement(text: key), let v = o[name] else { continue }
                if child.member { o[name] = nil } else { o[name] = remove(child, v, schema.field(name) ?? DeducedTypeSchema()) }
            }
            return .object(o)
        case .array(let a) where schema.listType != .atomic:
            guard case .success(let keys) = ListElementKeys.keys(a, schema.listType, defaults: schema.keyDefaults) else { return value }
            let element = schema.elements ?? DeducedTypeSchema()
            var out: [JSON] = []
            out.reserveCapacity(a.count)
            for (i, k) in keys.enumerated() {
                guard let child = set.children[k] else { out.append(a[i]); continue }
                if child.member { continue }
                out.append(remove(child, a[i], element))
            }
            return .array(out)
        default:
            return value
        }
    }
}
