import EdgeAPI

/// apps/v1 StatefulSets: replicas and availableReplicas are always sent.
public struct StatefulSetStrategy: ResourceStrategy {
    public let resource = BuiltinResources.statefulSets
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.statefulSet(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { WorkloadValidator.validate(obj, kind: resource.kind) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        validate(new, ctx) + WorkloadValidator.validateUpdate(new, old: old)
    }
    public func canonicalize(_ obj: inout JSON) { StatusSplit.fillZeros(&obj, ["replicas", "availableReplicas"]) }
    public var tableColumns: [TableColumn] { TableColumns.statefulSets }
    public var scale: ScaleSubresource? { .labelSelector }
}
