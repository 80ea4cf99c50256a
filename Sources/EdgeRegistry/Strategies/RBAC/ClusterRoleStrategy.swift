import EdgeAPI

/// rbac.authorization.k8s.io/v1 ClusterRoles: rules anywhere, non-resource URLs too, and an optional
/// aggregationRule whose rules the aggregation controller fills in.
public struct ClusterRoleStrategy: ResourceStrategy {
    public let resource = BuiltinResources.clusterRoles
    public init() {}
    public var nameRule: NameRule { .pathSegment }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { RBACValidator.rules(obj, namespaced: false) }
    public var tableColumns: [TableColumn] { RBACTableColumns.roles }
}
