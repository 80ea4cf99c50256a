import EdgeAPI

/// apps/v1 Deployments.
public struct DeploymentStrategy: ResourceStrategy {
    public let resource = BuiltinResources.deployments
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.deployment(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { WorkloadValidator.validate(obj, kind: resource.kind) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        validate(new, ctx) + WorkloadValidator.validateUpdate(new, old: old)
    }
    public var tableColumns: [TableColumn] { TableColumns.deployments }
    public var scale: ScaleSubresource? { .labelSelector }
}
