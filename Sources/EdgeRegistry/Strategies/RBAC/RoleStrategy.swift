import EdgeAPI

/// rbac.authorization.k8s.io/v1 Roles: rules for one namespace, no non-resource URLs; names are path segments.
public struct RoleStrategy: ResourceStrategy {
    public let resource = BuiltinResources.roles
    public init() {}
    public var nameRule: NameRule { .pathSegment }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { RBACValidator.rules(obj, namespaced: true) }
    public var tableColumns: [TableColumn] { RBACTableColumns.roles }
}
