/// RFC 7386 JSON Merge Patch: objects merge, null deletes, anything else replaces.
public enum MergePatch {
    public static func apply(_ patch: JSON, to target: JSON) -> JSON {
        guard case .object(let p) = patch else { return patch }
        var out = target.object ?? JSONObject()
        for (k, v) in p {
            if v.isNull { out[k] = nil } else { out[k] = apply(v, to: out[k] ?? .null) }
        }
        return .object(out)
    }
}
