import EdgeAPI

/// One rule of an audit.k8s.io/v1 Policy: the first rule whose every given
/// selector matches a request decides its level. A selector left empty matches
/// everything; a rule with resources or namespaces matches only resource
/// requests, one with nonResourceURLs only non-resource requests.
public struct AuditPolicyRule: Sendable, Equatable {
    public struct GroupResources: Sendable, Equatable {
        /// "" is the core group.
        public var group: String
        /// "pods", "pods/log", "*/scale", "pods/*" or "*"; empty: every resource of the group.
        public var resources: [String]
        public var resourceNames: [String]

        public init(group: String = "", resources: [String] = [], resourceNames: [String] = []) {
            self.group = group
            self.resources = resources
            self.resourceNames = resourceNames
        }
    }

    public var level: AuditLevel
    public var users: [String] = []
    public var userGroups: [String] = []
    public var verbs: [String] = []
    public var resources: [GroupResources] = []
    /// "" names cluster-scoped requests.
    public var namespaces: [String] = []
    public var nonResourceURLs: [String] = []
    public var omitStages: Set<AuditStage> = []
    /// nil: the policy's setting.
    public var omitManagedFields: Bool?

    public init(level: AuditLevel, users: [String] = [], userGroups: [String] = [], verbs: [String] = [],
                resources: [GroupResources] = [], namespaces: [String] = [], nonResourceURLs: [String] = [],
                omitStages: Set<AuditStage> = [], omitManagedFields: Bool? = nil) {
        self.level = level
        self.users = users
        self.userGroups = userGroups
        self.verbs = verbs
        self.resources = resources
        self.namespaces = namespaces
        self.nonResourceURLs = nonResourceURLs
        self.omitStages = omitStages
        self.omitManagedFields = omitManagedFields
    }

    public func matches(_ a: AuditAttributes) -> Bool {
        if !users.isEmpty {
            guard let user = a.user, users.contains(user.name) else { return false }
        }
        if !userGroups.isEmpty {
            guard let user = a.user, user.groups.contains(where: userGroups.contains) else { return false }
        }
        if !verbs.isEmpty, !verbs.contains(a.verb) { return false }
        if !namespaces.isEmpty || !resources.isEmpty { return matchesResource(a.resource) }
        if !nonResourceURLs.isEmpty {
            guard a.resource == nil else { return false }
            return nonResourceURLs.contains { Self.pathMatches(a.path, $0) }
        }
        return true
    }

    func matchesResource(_ info: RequestInfo?) -> Bool {
        guard let info else { return false }
        if !namespaces.isEmpty, !namespaces.contains(info.namespace ?? "") { return false }
        if resources.isEmpty { return true }
        let sub = info.subresource ?? ""
        let combined = sub.isEmpty ? info.resource : info.resource + "/" + sub
        for gr in resources where gr.group == info.group {
            if gr.resources.isEmpty { return true }
            guard gr.resourceNames.isEmpty || gr.resourceNames.contains(info.name ?? "") else { continue }
            for r in gr.resources {
                if r == combined || r == "*" { return true }
                if !sub.isEmpty, r.hasPrefix("*/"), r.dropFirst(2) == sub { return true }
                if r.hasSuffix("/*"), r.dropLast(2) == info.resource { return true }
            }
        }
        return false
    }

    /// "*" matches every path, "/healthz*" every path starting so, anything else itself only.
    static func pathMatches(_ path: String, _ spec: String) -> Bool {
        if spec == "*" || spec == path { return true }
        return spec.hasSuffix("*") && path.hasPrefix(spec.dropLast())
    }
}
