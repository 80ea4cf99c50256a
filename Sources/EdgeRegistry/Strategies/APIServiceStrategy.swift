import EdgeAPI

/// apiregistration.k8s.io/v1 APIServices: stored and listed (serving the
/// aggregated APIs they describe is not done here), named `<version>.<group>`.
public struct APIServiceStrategy: ResourceStrategy {
    public let resource = BuiltinResources.apiServices
    public init() {}

    public var nameRule: NameRule { .pathSegment }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.apiService(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { APIServiceValidator.validate(obj) }

    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        ctx.subresource == "status" ? APIServiceValidator.validateStatus(new) : APIServiceValidator.validate(new)
    }

    public var tableColumns: [TableColumn] { TableColumns.apiServices }
}
