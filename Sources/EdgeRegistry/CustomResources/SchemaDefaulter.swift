import EdgeAPI

/// Upstream's structural defaulting: a field its schema gives a `default` is
/// set when absent (or null where the schema is not nullable), in objects,
/// array items and map values, before validation.
public enum SchemaDefaulter {
    public static func apply(_ value: inout JSON, _ s: StructuralSchema) {
        switch value {
        case .object(var o):
            for name in s.propertyNames {
                let ps = s.properties[name]!
                if let d = ps.defaultValue, o[name] == nil || (o[name]!.isNull && !ps.nullable) { o[name] = d }
            }
            for (k, v) in o {
                guard let cs = s.field(k), !(v.isNull) else { continue }
                var child = v
                apply(&child, cs)
                if child != v { o[k] = child }
            }
            value = .object(o)
        case .array(var a):
            guard let items = s.items else { return }
            for i in a.indices {
                if a[i].isNull, !items.nullable, let d = items.defaultValue { a[i] = d }
                apply(&a[i], items)
            }
            value = .array(a)
        default: break
        }
    }
}
