import EdgeAPI

/// authorization.k8s.io/v1 SelfSubjectRulesReview (`kubectl auth can-i --list`):
/// the rules RBAC grants the caller in a namespace, in upstream's shape. Callers
/// whose rights come from elsewhere (system:masters, the Node authorizer) get
/// what RBAC says plus `incomplete: true` when another authorizer may grant more.
public enum RulesReview {
    public static func status(_ policy: RBACPolicy, user: UserInfo, namespace: String) -> JSON {
        var resourceRules: [JSON] = []
        var nonResourceRules: [JSON] = []
        for rule in policy.rules(for: user, namespace: namespace.isEmpty ? nil : namespace) {
            func list(_ v: [String]) -> JSON { .array(v.map { .string($0) }) }
            if !rule.nonResourceURLs.isEmpty {
                nonResourceRules.append(["verbs": list(rule.verbs), "nonResourceURLs": list(rule.nonResourceURLs)])
            } else {
                var r: JSON = ["verbs": list(rule.verbs), "apiGroups": list(rule.apiGroups), "resources": list(rule.resources)]
                if !rule.resourceNames.isEmpty { r["resourceNames"] = list(rule.resourceNames) }
                resourceRules.append(r)
            }
        }
        let otherAuthority = NodeIdentity.nodeName(of: user) != nil
        return ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": .bool(otherAuthority)]
    }
}
