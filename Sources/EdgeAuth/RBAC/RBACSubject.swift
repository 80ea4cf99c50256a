import EdgeAPI

/// Who a binding names, reduced to the key the policy indexes it under: a user
/// name (a ServiceAccount is the user `system:serviceaccount:NS:NAME`) or a group.
enum RBACSubject: Hashable, Sendable {
    case user(String)
    case group(String)

    /// nil for a subject of an unknown kind (validation refuses them; old stored objects may hold one).
    init?(_ s: JSON, bindingNamespace: String?) {
        let name = s["name"]?.string ?? ""
        switch s["kind"]?.string {
        case "User": self = .user(name)
        case "Group": self = .group(name)
        case "ServiceAccount":
            let ns = s["namespace"]?.string ?? bindingNamespace ?? ""
            self = .user("system:serviceaccount:\(ns):\(name)")
        default: return nil
        }
    }

    /// The keys a user is found under: its name and each of its groups.
    static func keys(of user: UserInfo) -> [RBACSubject] {
        [.user(user.name)] + user.groups.map { .group($0) }
    }
}
