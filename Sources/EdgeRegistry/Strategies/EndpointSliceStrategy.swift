import EdgeAPI

/// discovery.k8s.io/v1 EndpointSlices: what the service proxy and DNS read.
public struct EndpointSliceStrategy: ResourceStrategy {
    public let resource = BuiltinResources.endpointSlices
    public init() {}
    public var tableColumns: [TableColumn] { TableColumns.endpointSlices }
}
