/// Upstream's rbac validation (pkg/apis/rbac/validation): every rule names
/// verbs and either resources (with API groups) or non-resource URLs, never
/// both; namespaced Roles have no non-resource URLs; a binding's roleRef is
/// complete, of a kind its scope allows, and never changes; each subject is a
/// ServiceAccount (with a namespace), a User or a Group.
public enum RBACValidator {
    public static let group = "rbac.authorization.k8s.io"

    public static func rules(_ obj: JSON, namespaced: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, rule) in (obj["rules"]?.array ?? []).enumerated() {
            errs += policyRule(rule, namespaced: namespaced, path: "rules[\(i)]")
        }
        return errs
    }

    static func policyRule(_ rule: JSON, namespaced: Bool, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        func list(_ k: String) -> [String] { rule[k]?.array?.compactMap(\.string) ?? [] }
        if list("verbs").isEmpty { errs.append(.required(path + ".verbs", "verbs must contain at least one value")) }
        let urls = list("nonResourceURLs")
        if !urls.isEmpty {
            if namespaced {
                errs.append(.invalid(path + ".nonResourceURLs", rule["nonResourceURLs"] ?? .null,
                                     "namespaced rules cannot apply to non-resource URLs"))
            }
            if !list("apiGroups").isEmpty || !list("resources").isEmpty || !list("resourceNames").isEmpty {
                errs.append(.invalid(path + ".nonResourceURLs", rule["nonResourceURLs"] ?? .null,
                                     "rules cannot apply to both regular resources and non-resource URLs"))
            }
            return errs
        }
        if list("apiGroups").isEmpty && rule["apiGroups"]?.array == nil {
            errs.append(.required(path + ".apiGroups", "resource rules must supply at least one api group"))
        }
        if list("resources").isEmpty { errs.append(.required(path + ".resources", "resource rules must supply at least one resource")) }
        return errs
    }

    /// A RoleBinding (`namespaced`) may refer to a Role or a ClusterRole; a ClusterRoleBinding only to a ClusterRole.
    public static func binding(_ obj: JSON, namespaced: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        let ref = obj["roleRef"] ?? [:]
        let apiGroup = ref["apiGroup"]?.string ?? ""
        if apiGroup != group { errs.append(.notSupported("roleRef.apiGroup", .string(apiGroup), [group])) }
        let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
        let kind = ref["kind"]?.string ?? ""
        if !kinds.contains(kind) { errs.append(.notSupported("roleRef.kind", .string(kind), kinds)) }
        let name = ref["name"]?.string ?? ""
        if name.isEmpty {
            errs.append(.required("roleRef.name"))
        } else {
            errs += NameRules.pathSegment("roleRef.name", name)
        }
        for (i, s) in (obj["subjects"]?.array ?? []).enumerated() {
            errs += subject(s, path: "subjects[\(i)]")
        }
        return errs
    }

    static func subject(_ s: JSON, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let name = s["name"]?.string ?? ""
        if name.isEmpty { errs.append(.required(path + ".name")) }
        let apiGroup = s["apiGroup"]?.string ?? ""
        switch s["kind"]?.string ?? "" {
        case "ServiceAccount":
            if !name.isEmpty { errs += NameRules.dns1123Subdomain(path + ".name", name) }
            if !apiGroup.isEmpty { errs.append(.notSupported(path + ".apiGroup", .string(apiGroup), [""])) }
            if (s["namespace"]?.string ?? "").isEmpty { errs.append(.required(path + ".namespace")) }
        case "User", "Group":
            if apiGroup != group { errs.append(.notSupported(path + ".apiGroup", .string(apiGroup), [group])) }
        default:
            errs.append(.notSupported(path + ".kind", s["kind"] ?? .string(""), ["ServiceAccount", "User", "Group"]))
        }
        return errs
    }

    public static func bindingUpdate(_ new: JSON, old: JSON, namespaced: Bool) -> [FieldError] {
        var errs = binding(new, namespaced: namespaced)
        if let oldRef = old["roleRef"], new["roleRef"] != oldRef {
            errs.append(.invalid("roleRef", new["roleRef"] ?? .null, "cannot change roleRef"))
        }
        return errs
    }
}
