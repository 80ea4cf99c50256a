import EdgeAPI

/// rbac.authorization.k8s.io/v1 ClusterRoleBindings: a ClusterRole granted to subjects everywhere.
public struct ClusterRoleBindingStrategy: ResourceStrategy {
    public let resource = BuiltinResources.clusterRoleBindings
    public init() {}
    public var nameRule: NameRule { .pathSegment }
    public func applyDefaults(_ obj: inout JSON) { RBACDefaults.subjects(&obj) }
    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { RBACValidator.binding(obj, namespaced: false) }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        RBACValidator.bindingUpdate(new, old: old, namespaced: false)
    }
    public var tableColumns: [TableColumn] { RBACTableColumns.bindings }
}
