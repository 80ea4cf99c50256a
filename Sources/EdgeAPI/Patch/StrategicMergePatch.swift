/// Strategic merge patch as kube-apiserver applies it: maps merge, null
/// deletes, lists with a merge key merge item by item, primitive lists with
/// strategy merge are unions, everything else replaces. Directives kubectl
/// sends ($patch, $retainKeys, $setElementOrder/…, $deleteFromPrimitiveList/…)
/// are honoured and never stored.
public enum StrategicMergePatch {
    static let setOrderPrefix = "$setElementOrder/"
    static let deletePrimitivePrefix = "$deleteFromPrimitiveList/"

    public static func apply(_ patch: JSON, to original: JSON, schema: (any PatchSchemaNode)?) throws -> JSON {
        guard case .object(let p) = patch else { throw PatchError("a strategic merge patch must be an object, got \(patch.typeName)") }
        return .object(try mergeObject(original.object ?? JSONObject(), p, schema))
    }

    static func mergeObject(_ original: JSONObject, _ patch: JSONObject, _ schema: (any PatchSchemaNode)?) throws -> JSONObject {
        switch patch["$patch"]?.string {
        case "replace": return strip(patch)
        case "delete": return JSONObject()
        case nil, "merge": break
        case let other?: throw PatchError("unknown patch type: \(other) in map")
        }
        var out = original
        var orders: [(String, [JSON])] = []
        var deletions: [(String, [JSON])] = []
        for (k, v) in patch {
            if k == "$patch" || k == "$retainKeys" { continue }
            if k.hasPrefix(setOrderPrefix) { orders.append((String(k.dropFirst(setOrderPrefix.count)), v.array ?? [])); continue }
            if k.hasPrefix(deletePrimitivePrefix) { deletions.append((String(k.dropFirst(deletePrimitivePrefix.count)), v.array ?? [])); continue }
            if v.isNull { out[k] = nil; continue }
            let f = schema?.field(k)
            switch (out[k], v) {
            case (.object(let o)?, .object(let pv)):
                if pv["$patch"]?.string == "delete" { out[k] = nil; continue }
                out[k] = .object(try mergeObject(o, pv, f?.node))
            case (_, .array(let pa)):
                out[k] = .array(try mergeList(out[k]?.array ?? [], pa, meta: f?.meta ?? PatchMeta(), items: f?.node.items))
            case (_, .object(let pv)):
                if pv["$patch"]?.string == "delete" { out[k] = nil; continue }
                out[k] = .object(try mergeObject(JSONObject(), pv, f?.node))
            default:
                out[k] = v
            }
        }
        for (field, values) in deletions {
            guard let list = out[field]?.array else { continue }
            out[field] = .array(list.filter { !values.contains($0) })
        }
        for (field, order) in orders {
            guard let list = out[field]?.array else { continue }
            let key = schema?.field(field)?.meta.mergeKey
            out[field] = .array(reorder(list, order, mergeKey: key))
        }
        if let retain = patch["$retainKeys"]?.array {
            let keep = Set(retain.compactMap(\.string))
            for k in out.keys where !keep.contains(k) && patch[k] == nil { out[k] = nil }
        }
        return out
    }

    static func mergeList(_ original: [JSON], _ patch: [JSON], meta: PatchMeta, items: (any PatchSchemaNode)?) throws -> [JSON] {
        // A {"$patch": "replace"} item makes the rest of the patch list the whole list.
        if patch.contains(where: { $0["$patch"]?.string == "replace" }) {
            return patch.filter { $0["$patch"]?.string != "replace" }.map(stripValue)
        }
        guard meta.merges else { return patch.map(stripValue) }
        guard let key = meta.mergeKey else {
            // Primitive list with strategy merge (finalizers): union, keeping order.
            var out = original
            for v in patch where !out.contains(v) { out.append(v) }
            return out
        }
        var out = original
        for p in patch {
            guard case .object(let po) = p else { continue }
            let id = po[key]
            let idx = out.firstIndex { $0.object?[key] == id && id != nil }
            if po["$patch"]?.string == "delete" {
                out.removeAll { $0.object?[key] == id }
                continue
            }
            if let idx, case .object(let o) = out[idx] {
                out[idx] = .object(try mergeObject(o, po, items))
            } else {
                out.append(.object(strip(po)))
            }
        }
        return out
    }

    /// Items named in `order` come in that order; the others keep their relative place after them.
    static func reorder(_ list: [JSON], _ order: [JSON], mergeKey: String?) -> [JSON] {
        func id(_ v: JSON) -> JSON? { mergeKey.map { v.object?[$0] ?? .null } ?? v }
        let ids = order.map { o -> JSON in mergeKey.map { k in o.object?[k] ?? .null } ?? o }
        var ordered: [JSON] = []
        var rest: [JSON] = []
        for item in list where !ids.contains(where: { $0 == id(item) }) { rest.append(item) }
        for want in ids {
            if let item = list.first(where: { id($0) == want }) { ordered.append(item) }
        }
        return ordered + rest
    }

    static func strip(_ o: JSONObject) -> JSONObject {
        var out = JSONObject()
        for (k, v) in o where !k.hasPrefix("$") { out[k] = stripValue(v) }
        return out
    }

    static func stripValue(_ v: JSON) -> JSON {
        switch v {
        case .object(let o): return .object(strip(o))
        case .array(let a): return .array(a.map(stripValue))
        default: return v
        }
    }
}
