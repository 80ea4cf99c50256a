import EdgeAPI

/// apps/v1 ReplicaSets: status.replicas is always sent (0 until counted).
public struct ReplicaSetStrategy: ResourceStrategy {
    public let resource = BuiltinResources.replicaSets
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.replicaSet(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { WorkloadValidator.validate(obj, kind: resource.kind) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        validate(new, ctx) + WorkloadValidator.validateUpdate(new, old: old)
    }
    public func canonicalize(_ obj: inout JSON) { StatusSplit.fillZeros(&obj, ["replicas"]) }
    public var tableColumns: [TableColumn] { TableColumns.replicaSets }
    public var selectableFields: [String] { ["status.replicas"] }
    public var scale: ScaleSubresource? { .labelSelector }
}
