import EdgeAPI

/// One rbac.authorization.k8s.io/v1 PolicyRule, read from a Role or ClusterRole:
/// what it allows, and (for escalation checks) which single permissions it
/// holds and how upstream prints them.
public struct PolicyRule: Sendable, Hashable {
    public var verbs: [String]
    public var apiGroups: [String]
    public var resources: [String]
    public var resourceNames: [String]
    public var nonResourceURLs: [String]

    public init(verbs: [String], apiGroups: [String] = [], resources: [String] = [], resourceNames: [String] = [],
                nonResourceURLs: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    public init(_ json: JSON) {
        func list(_ k: String) -> [String] { json[k]?.array?.compactMap(\.string) ?? [] }
        self.init(verbs: list("verbs"), apiGroups: list("apiGroups"), resources: list("resources"), resourceNames: list("resourceNames"),
                  nonResourceURLs: list("nonResourceURLs"))
    }

    /// The rules of a Role or ClusterRole object.
    public static func rules(of role: JSON) -> [PolicyRule] { (role["rules"]?.array ?? []).map(PolicyRule.init) }

    public var json: JSON {
        var o = JSONObject()
        func put(_ k: String, _ v: [String]) { if !v.isEmpty { o[k] = .array(v.map { .string($0) }) } }
        put("verbs", verbs)
        if !apiGroups.isEmpty || !resources.isEmpty { o["apiGroups"] = .array(apiGroups.map { .string($0) }) }
        put("resources", resources)
        put("resourceNames", resourceNames)
        put("nonResourceURLs", nonResourceURLs)
        return .object(o)
    }

    // MARK: matching a request (upstream's rbac.RuleAllows)

    public func allows(_ info: RequestInfo) -> Bool {
        guard verbMatches(info.verb), apiGroups.contains(where: { $0 == "*" || $0 == info.group }) else { return false }
        guard resourceMatches(info.resource, info.subresource) else { return false }
        return resourceNames.isEmpty || info.name.map { resourceNames.contains($0) } ?? false
    }

    public func allows(nonResourcePath path: String, verb: String) -> Bool {
        verbMatches(verb) && nonResourceURLs.contains { Self.urlMatches($0, path) }
    }

    func verbMatches(_ verb: String) -> Bool { verbs.contains { $0 == "*" || $0 == verb } }

    func resourceMatches(_ resource: String, _ subresource: String?) -> Bool {
        let combined = subresource.map { "\(resource)/\($0)" } ?? resource
        return resources.contains { r in
            if r == "*" || r == combined { return true }
            guard let sub = subresource else { return false }
            return r == "*/" + sub
        }
    }

    static func urlMatches(_ pattern: String, _ path: String) -> Bool {
        if pattern == "*" || pattern == path { return true }
        return pattern.hasSuffix("*") && path.hasPrefix(String(pattern.dropLast()))
    }

    // MARK: coverage (upstream's validation.Covers, for escalation prevention)

    /// The rule broken into single permissions: one verb on one group/resource (/name), or on one URL.
    public var breakdown: [PolicyRule] {
        var out: [PolicyRule] = []
        for verb in verbs {
            for group in apiGroups {
                for resource in resources {
                    if resourceNames.isEmpty {
                        out.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource]))
                    } else {
                        for name in resourceNames {
                            out.append(PolicyRule(verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name]))
                        }
                    }
                }
            }
            for url in nonResourceURLs { out.append(PolicyRule(verbs: [verb], nonResourceURLs: [url])) }
        }
        return out
    }

    /// Whether this rule holds everything `other` grants.
    public func covers(_ other: PolicyRule) -> Bool {
        func all(_ set: [String], _ wanted: [String]) -> Bool { set.contains("*") || wanted.allSatisfy(set.contains) }
        guard all(verbs, other.verbs), all(apiGroups, other.apiGroups) else { return false }
        guard Self.resourcesCover(resources, other.resources) else { return false }
        guard other.nonResourceURLs.allSatisfy({ u in nonResourceURLs.contains { Self.urlMatches($0, u) } }) else { return false }
        if resourceNames.isEmpty { return true }
        return !other.resourceNames.isEmpty && other.resourceNames.allSatisfy(resourceNames.contains)
    }

    static func resourcesCover(_ held: [String], _ wanted: [String]) -> Bool {
        if held.contains("*") { return true }
        return wanted.allSatisfy { r in
            if held.contains(r) { return true }
            guard let slash = r.firstIndex(of: "/") else { return false }
            return held.contains("*" + r[slash...])
        }
    }

    /// The rules of `requested` that `held` does not cover, broken into single permissions.
    public static func uncovered(_ requested: [PolicyRule], by held: [PolicyRule]) -> [PolicyRule] {
        var missing: [PolicyRule] = []
        for rule in requested {
            for one in rule.breakdown where !held.contains(where: { $0.covers(one) }) && !missing.contains(one) {
                missing.append(one)
            }
        }
        return missing
    }

    /// Upstream's CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`.
    public var compactString: String {
        var parts: [String] = []
        if !apiGroups.isEmpty { parts.append("APIGroups:" + GoFormat.quotedList(apiGroups)) }
        if !resources.isEmpty { parts.append("Resources:" + GoFormat.quotedList(resources)) }
        if !nonResourceURLs.isEmpty { parts.append("NonResourceURLs:" + GoFormat.quotedList(nonResourceURLs)) }
        if !resourceNames.isEmpty { parts.append("ResourceNames:" + GoFormat.quotedList(resourceNames)) }
        if !verbs.isEmpty { parts.append("Verbs:" + GoFormat.quotedList(verbs)) }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// Go's `%q` of a string slice, as upstream's messages print one: `["a" "b"]`.
enum GoFormat {
    static func quotedList(_ items: [String]) -> String {
        "[" + items.map(quoted).joined(separator: " ") + "]"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7f { out += "\\x" + String(c.value, radix: 16).leftPadded(2) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
