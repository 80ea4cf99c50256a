import EdgeAPI

/// core/v1 ServiceAccounts. DELETE answers with the deleted account, as upstream.
public struct ServiceAccountStrategy: ResourceStrategy {
    public let resource = BuiltinResources.serviceAccounts
    public init() {}
    public var returnsDeletedObject: Bool { true }
    public var tableColumns: [TableColumn] { TableColumns.serviceAccounts }
}
