import EdgeAPI

/// core/v1 ConfigMaps: config keys, and no data change once `immutable`.
public struct ConfigMapStrategy: ResourceStrategy {
    public let resource = BuiltinResources.configMaps
    public init() {}

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { ConfigDataValidator.validate(obj, old: nil) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] { ConfigDataValidator.validate(new, old: old) }
    public var tableColumns: [TableColumn] { TableColumns.configMaps }
}
