import EdgeAPI

/// The cluster's RBAC objects at one moment, indexed for the question every
/// request asks: which rules apply to this user here? Bindings are indexed by
/// subject (user name or group), so a request looks at the bindings that name
/// its caller only, however many roles and bindings the cluster holds.
public struct RBACPolicy: Sendable {
    /// A binding reduced to what authorization needs.
    struct Grant: Sendable {
        /// The binding's namespace; nil for a ClusterRoleBinding.
        var namespace: String?
        var roleKind: String
        var roleName: String
        var bindingName: String
    }

    var roles: [String: [PolicyRule]] = [:]        // "ns/name"
    var clusterRoles: [String: [PolicyRule]] = [:] // name
    var clusterGrants: [RBACSubject: [Grant]] = [:]
    var namespaceGrants: [RBACSubject: [Grant]] = [:]

    public init() {}

    /// Builds the indexes from the four kinds' objects.
    public init(roles: [JSON], clusterRoles: [JSON], roleBindings: [JSON], clusterRoleBindings: [JSON]) {
        for r in roles {
            self.roles[Self.key(r[path: ["metadata", "namespace"]]?.string, r[path: ["metadata", "name"]]?.string ?? "")] = PolicyRule.rules(of: r)
        }
        for r in clusterRoles { self.clusterRoles[r[path: ["metadata", "name"]]?.string ?? ""] = PolicyRule.rules(of: r) }
        for b in clusterRoleBindings { Self.index(b, namespace: nil, into: &clusterGrants) }
        for b in roleBindings { Self.index(b, namespace: b[path: ["metadata", "namespace"]]?.string ?? "", into: &namespaceGrants) }
    }

    static func key(_ ns: String?, _ name: String) -> String { "\(ns ?? "")/\(name)" }

    static func index(_ b: JSON, namespace: String?, into grants: inout [RBACSubject: [Grant]]) {
        let grant = Grant(namespace: namespace, roleKind: b[path: ["roleRef", "kind"]]?.string ?? "",
                          roleName: b[path: ["roleRef", "name"]]?.string ?? "", bindingName: b[path: ["metadata", "name"]]?.string ?? "")
        var seen = Set<RBACSubject>()
        for s in b["subjects"]?.array ?? [] {
            guard let subject = RBACSubject(s, bindingNamespace: namespace), seen.insert(subject).inserted else { continue }
            grants[subject, default: []].append(grant)
        }
    }

    func rules(of grant: Grant) -> [PolicyRule] {
        switch grant.roleKind {
        case "ClusterRole": return clusterRoles[grant.roleName] ?? []
        case "Role": return grant.namespace.flatMap { roles[Self.key($0, grant.roleName)] } ?? []
        default: return []
        }
    }

    /// Calls `body` with the rules of each binding that applies to `user` in `namespace` (cluster-wide
    /// bindings always; RoleBindings of that namespace when one is given) until it returns true.
    func visitRules(for user: UserInfo, namespace: String?, _ body: (PolicyRule) -> Bool) -> Bool {
        for key in RBACSubject.keys(of: user) {
            for grant in clusterGrants[key] ?? [] where rules(of: grant).contains(where: body) { return true }
            if let namespace, !namespace.isEmpty {
                for grant in namespaceGrants[key] ?? [] where grant.namespace == namespace && rules(of: grant).contains(where: body) {
                    return true
                }
            }
        }
        return false
    }

    /// Whether a binding grants the resource request.
    public func allows(_ user: UserInfo, _ info: RequestInfo) -> Bool {
        visitRules(for: user, namespace: info.namespace) { $0.allows(info) }
    }

    /// Whether a ClusterRoleBinding grants the non-resource request.
    public func allows(_ user: UserInfo, nonResourcePath path: String, verb: String) -> Bool {
        visitRules(for: user, namespace: nil) { $0.allows(nonResourcePath: path, verb: verb) }
    }

    /// Every rule that applies to `user` in `namespace` (nil: cluster-wide only): what it holds,
    /// for escalation checks and SelfSubjectRulesReview.
    public func rules(for user: UserInfo, namespace: String?) -> [PolicyRule] {
        var out: [PolicyRule] = []
        _ = visitRules(for: user, namespace: namespace) { out.append($0); return false }
        return out
    }

    /// The rules of the role a binding refers to; nil when it does not exist.
    public func roleRules(kind: String, name: String, namespace: String?) -> [PolicyRule]? {
        switch kind {
        case "ClusterRole": return clusterRoles[name]
        case "Role": return roles[Self.key(namespace, name)]
        default: return nil
        }
    }
}
