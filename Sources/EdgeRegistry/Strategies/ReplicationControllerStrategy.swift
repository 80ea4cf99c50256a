import EdgeAPI

/// core/v1 ReplicationControllers: the ReplicaSet's predecessor, with a plain
/// label map as selector (defaulted from the template's labels).
public struct ReplicationControllerStrategy: ResourceStrategy {
    public let resource = BuiltinResources.replicationControllers
    public init() {}

    public var tracksGeneration: Bool { true }
    public func applyDefaults(_ obj: inout JSON) { Defaulter.replicationController(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { ReplicationControllerValidator.validate(obj) }
    public func canonicalize(_ obj: inout JSON) { StatusSplit.fillZeros(&obj, ["replicas"]) }
    public var tableColumns: [TableColumn] { TableColumns.replicationControllers }
    public var selectableFields: [String] { ["status.replicas"] }
    public var scale: ScaleSubresource? { .mapSelector }
}
