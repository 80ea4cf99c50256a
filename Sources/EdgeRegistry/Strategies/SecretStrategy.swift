import EdgeAPI

/// core/v1 Secrets: stringData is write-only (merged into data, base64, as
/// upstream's conversion does), type defaults to Opaque, config keys.
public struct SecretStrategy: ResourceStrategy {
    public let resource = BuiltinResources.secrets
    public init() {}

    public func normalize(_ obj: inout JSON) {
        guard let sd = obj["stringData"]?.object else { return }
        var data = obj["data"]?.object ?? JSONObject()
        for (k, v) in sd { data[k] = .string(Base64.encode(v.string ?? "")) }
        obj["data"] = .object(data)
        obj["stringData"] = nil
    }

    public func applyDefaults(_ obj: inout JSON) { Defaulter.secret(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { ConfigDataValidator.validate(obj, old: nil) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] { ConfigDataValidator.validate(new, old: old) }
    public var tableColumns: [TableColumn] { TableColumns.secrets }
    public var selectableFields: [String] { ["type"] }
}
