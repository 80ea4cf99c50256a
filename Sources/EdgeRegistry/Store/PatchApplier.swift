import EdgeAPI

public enum PatchKind: Sendable, Equatable {
    case json, merge, strategic

    public init?(contentType: String) {
        switch contentType {
        case "application/json-patch+json": self = .json
        case "application/merge-patch+json": self = .merge
        case "application/strategic-merge-patch+json": self = .strategic
        default: return nil
        }
    }
}

/// Applies a PATCH body of one of the supported kinds to an object.
public enum PatchApplier {
    /// Upstream answers a patch that cannot be applied with 422.
    public static func apply(_ kind: PatchKind, _ patch: JSON, to obj: JSON, schema: (any PatchSchemaNode)?) throws -> JSON {
        do {
            switch kind {
            case .merge:
                guard patch.object != nil else { throw PatchError("a merge patch must be a JSON object, got \(patch.typeName)") }
                return MergePatch.apply(patch, to: obj)
            case .json: return try JSONPatch.apply(patch, to: obj)
            case .strategic: return try StrategicMergePatch.apply(patch, to: obj, schema: schema)
            }
        } catch let e as PatchError {
            throw APIError(code: 422, reason: "Invalid", message: e.description)
        }
    }
}
