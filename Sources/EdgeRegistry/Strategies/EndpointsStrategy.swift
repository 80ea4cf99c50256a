import EdgeAPI

/// core/v1 Endpoints: written by the endpoints controller, listed by proxies.
public struct EndpointsStrategy: ResourceStrategy {
    public let resource = BuiltinResources.endpoints
    public init() {}
    public var tableColumns: [TableColumn] { TableColumns.endpoints }
}
