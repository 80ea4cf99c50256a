import EdgeAPI

enum PatchKind: Sendable, Equatable {
    case json, merge, strategic

    init?(contentType: String) {
        switch contentType {
        case "application/json-patch+json": self = .json
        case "application/merge-patch+json": self = .merge
        case "application/strategic-merge-patch+json": self = .strategic
        default: return nil
        }
    }
}

/// Applies a PATCH body of one of the supported kinds to an object.
enum PatchApplier {
    static func apply(_ kind: PatchKind, _ patch: JSON, to obj: JSON, schema: (any PatchSchemaNode)?) throws -> JSON {
        switch kind {
        case .merge: return mergePatch(obj, patch)
        default: throw APIError(code: 415, reason: "UnsupportedMediaType", message: "patch type not supported yet")
        }
    }

    static func mergePatch(_ target: JSON, _ patch: JSON) -> JSON {
        guard case .object(let p) = patch else { return patch }
        var out = target.object ?? JSONObject()
        for (k, v) in p {
            if v.isNull { out[k] = nil } else { out[k] = mergePatch(out[k] ?? .null, v) }
        }
        return .object(out)
    }
}
