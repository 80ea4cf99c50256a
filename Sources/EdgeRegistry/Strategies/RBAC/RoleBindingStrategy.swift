import EdgeAPI

/// rbac.authorization.k8s.io/v1 RoleBindings: a Role or ClusterRole granted to subjects in one namespace;
/// roleRef never changes (delete and recreate instead, as upstream).
public struct RoleBindingStrategy: ResourceStrategy {
    public let resource = BuiltinResources.roleBindings
    public init() {}
    public var nameRule: NameRule { .pathSegment }
    public func applyDefaults(_ obj: inout JSON) { RBACDefaults.subjects(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { RBACValidator.binding(obj, namespaced: true) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        RBACValidator.bindingUpdate(new, old: old, namespaced: true)
    }
    public var tableColumns: [TableColumn] { RBACTableColumns.bindings }
}
