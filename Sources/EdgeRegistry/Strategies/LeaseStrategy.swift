import EdgeAPI

/// coordination.k8s.io/v1 Leases (node heartbeats).
public struct LeaseStrategy: ResourceStrategy {
    public let resource = BuiltinResources.leases
    public init() {}
    public var tableColumns: [TableColumn] { TableColumns.leases }
}
