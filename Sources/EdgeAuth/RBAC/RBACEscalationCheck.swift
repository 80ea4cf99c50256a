import EdgeAPI
import EdgeRegistry

/// Upstream's escalation prevention for RBAC writes (pkg/registry/rbac/*/policybased):
/// - a Role or ClusterRole may only grant what its writer already holds where it applies,
///   unless the writer may `escalate` on it (an aggregationRule needs everything: cluster-admin);
/// - a binding may only grant a role whose rules its writer holds there, unless the writer
///   may `bind` that role.
/// Members of system:masters (and the API server itself) pass. One validating admission step.
public struct RBACEscalationCheck: ValidatingAdmissionStep {
    public let name = "RBACEscalation"
    let cache: RBACPolicyCache
    let authorizer: any Authorizer

    public init(cache: RBACPolicyCache, authorizer: any Authorizer) {
        self.cache = cache
        self.authorizer = authorizer
    }

    static let group = "rbac.authorization.k8s.io"
    static let fullAuthority = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]

    public func validate(_ request: AdmissionRequest, _ store: ObjectStore) async throws {
        guard request.resource.group == Self.group, request.subresource == nil,
              request.operation == .create || request.operation == .update, let obj = request.object else { return }
        let user = request.user
        if user.groups.contains(UserInfo.masterGroup) { return }
        switch request.resource.plural {
        case "roles", "clusterroles":
            try await checkRole(obj, old: request.oldObject, request)
        case "rolebindings", "clusterrolebindings":
            try await checkBinding(obj, request)
        default:
            return
        }
    }

    func checkRole(_ obj: JSON, old: JSON?, _ request: AdmissionRequest) async throws {
        // Metadata-only updates (labels, finalizers) grant nothing new.
        if let old, old["rules"] == obj["rules"], old["aggregationRule"] == obj["aggregationRule"] { return }
        let namespace = request.resource.namespaced ? request.namespace : nil
        if await allowed(request, verb: "escalate", resource: request.resource.plural, name: request.name, namespace: namespace) { return }
        let held = cache.policy.rules(for: request.user, namespace: namespace)
        if obj["aggregationRule"] != nil && obj["aggregationRule"] != .null,
           !PolicyRule.uncovered(Self.fullAuthority, by: held).isEmpty {
            throw forbidden(request, "must have cluster-admin privileges to use the aggregationRule")
        }
        let missing = PolicyRule.uncovered(PolicyRule.rules(of: obj), by: held)
        if !missing.isEmpty { throw escalation(request, missing) }
    }

    func checkBinding(_ obj: JSON, _ request: AdmissionRequest) async throws {
        let namespace = request.resource.namespaced ? request.namespace : nil
        let kind = obj[path: ["roleRef", "kind"]]?.string ?? ""
        let roleName = obj[path: ["roleRef", "name"]]?.string ?? ""
        let roleResource = kind == "Role" ? "roles" : "clusterroles"
        if await allowed(request, verb: "bind", resource: roleResource, name: roleName, namespace: kind == "Role" ? namespace : namespace) { return }
        let policy = cache.policy
        guard let rules = policy.roleRules(kind: kind, name: roleName, namespace: namespace) else {
            let what = kind == "Role" ? "roles.rbac.authorization.k8s.io" : "clusterroles.rbac.authorization.k8s.io"
            throw forbidden(request, "\(what) \"\(roleName)\" not found")
        }
        let missing = PolicyRule.uncovered(rules, by: policy.rules(for: request.user, namespace: namespace))
        if !missing.isEmpty { throw escalation(request, missing) }
    }

    func allowed(_ request: AdmissionRequest, verb: String, resource: String, name: String, namespace: String?) async -> Bool {
        let info = RequestInfo(verb: verb, group: Self.group, version: "v1", resource: resource, namespace: namespace, name: name)
        return await authorizer.authorize(request.user, info, path: "").allowed
    }

    func escalation(_ request: AdmissionRequest, _ missing: [PolicyRule]) -> APIError {
        let lines = Set(missing.map(\.compactString)).sorted()
        let u = request.user
        return forbidden(request, "user \(GoFormat.quoted(u.name)) (groups=\(GoFormat.quotedList(u.groups))) is attempting to grant RBAC permissions not currently held:\n"
                         + lines.joined(separator: "\n"))
    }

    func forbidden(_ request: AdmissionRequest, _ why: String) -> APIError {
        APIError.forbidden("\(request.resource.qualifiedName) \"\(request.name)\" is forbidden: \(why)", request.resource, request.name)
    }
}
