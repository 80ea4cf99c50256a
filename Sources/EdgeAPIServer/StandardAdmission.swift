import EdgeAPI

/// The admission used by the real server: EdgeAPI's defaulting, validation and
/// type schema for every built-in kind.
public struct StandardAdmission: Admission {
    public init() {}

    public func applyDefaults(_ obj: inout JSON, resource: ResourceInfo) {
        Defaulter.apply(kind: resource.kind, group: resource.group, to: &obj)
    }

    public func validate(_ obj: JSON, old: JSON?, resource: ResourceInfo) -> APIError? {
        let errs = Validator.validate(kind: resource.kind, group: resource.group, object: obj, old: old, namespaced: resource.namespaced)
        guard !errs.isEmpty else { return nil }
        let name = obj[path: ["metadata", "name"]]?.string ?? ""
        return APIError.invalid(resource, name, message: FieldError.statusMessage(kind: resource.kind, group: resource.group, name: name, errs),
                                causes: errs.map { APIError.Cause(reason: $0.kind.rawValue, message: $0.body, field: $0.field) })
    }

    public func checkDecoding(_ obj: JSON, resource: ResourceInfo) -> DecodeReport {
        guard let m = APISchema.shared.messageName(for: resource) else { return DecodeReport() }
        return APISchema.shared.checkDecoding(obj, message: m)
    }

    public func pruneUnknownFields(_ obj: inout JSON, resource: ResourceInfo) {
        guard let m = APISchema.shared.messageName(for: resource) else { return }
        APISchema.shared.pruneUnknownFields(&obj, message: m)
    }

    public func patchSchema(resource: ResourceInfo) -> (any PatchSchemaNode)? { APISchema.shared.patchNode(for: resource) }
}
