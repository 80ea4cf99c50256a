/// Merges an applied configuration into the live object (upstream's typed
/// Merge): objects field by field, set and map lists element by element (live
/// order kept, new elements appended), everything else replaced by the
/// configuration's value. A `null` in the configuration removes the field.
public enum ApplyMerge {
    public static func merge(_ live: JSON?, _ config: JSON, schema: (any TypeSchemaNode)?) -> JSON {
        merge(live, config, schema ?? DeducedTypeSchema())
    }

    static func merge(_ live: JSON?, _ config: JSON, _ schema: any TypeSchemaNode) -> JSON {
        switch config {
        case .object(let c) where !schema.isAtomic:
            var out = live?.object ?? JSONObject()
            for (k, v) in c {
                if v.isNull { out[k] = nil; continue }
                out[k] = merge(out[k], v, schema.field(k) ?? DeducedTypeSchema())
            }
            return .object(out)
        case .array(let c) where schema.listType != .atomic:
            guard let l = live?.array,
                  case .success(let liveKeys) = ListElementKeys.keys(l, schema.listType, defaults: schema.keyDefaults),
                  case .success(let configKeys) = ListElementKeys.keys(c, schema.listType, defaults: schema.keyDefaults)
            else { return config }
            var out = l
            var position: [String: Int] = [:]
            for (i, k) in liveKeys.enumerated() { position[k] = i }
            let element = schema.elements ?? DeducedTypeSchema()
            for (j, k) in configKeys.enumerated() {
                if let i = position[k] {
                    if schema.listType != .set { out[i] = merge(out[i], c[j], element) }
                } else {
                    out.append(c[j])
                }
            }
            return .array(out)
        default:
            return config
        }
    }
}
