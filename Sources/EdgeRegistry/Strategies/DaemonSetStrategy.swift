import EdgeAPI

/// apps/v1 DaemonSets: the four counts upstream always sends are 0 until the controller sets them.
public struct DaemonSetStrategy: ResourceStrategy {
    public let resource = BuiltinResources.daemonSets
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.daemonSet(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { WorkloadValidator.validate(obj, kind: resource.kind) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        validate(new, ctx) + WorkloadValidator.validateUpdate(new, old: old)
    }
    public func canonicalize(_ obj: inout JSON) {
        StatusSplit.fillZeros(&obj, ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"])
    }
    public var tableColumns: [TableColumn] { TableColumns.daemonSets }
}
