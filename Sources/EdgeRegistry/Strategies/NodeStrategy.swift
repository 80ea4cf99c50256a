import EdgeAPI

/// core/v1 Nodes: a node registers with its status (upstream allows it on
/// create) and may write status with the object; pod ranges are set once.
public struct NodeStrategy: ResourceStrategy {
    public let resource = BuiltinResources.nodes
    public init() {}

    public func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext) {}

    public func prepareForUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext) {
        if ctx.subresource == nil {
            // A write of the Node that carries no status keeps the stored one.
            if new["status"] == nil { new["status"] = old["status"] }
            return
        }
        StatusSplit.apply(&new, old: old, subresource: ctx.subresource, hasStatus: true)
    }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { NodeValidator.validate(obj, old: nil) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] { NodeValidator.validate(new, old: old) }
    public var tableColumns: [TableColumn] { TableColumns.nodes }
    public var selectableFields: [String] { ["spec.unschedulable"] }
}
