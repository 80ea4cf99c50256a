import EdgeAPI

/// Reads an audit policy file as kube-apiserver does: YAML or JSON, kind Policy
/// of audit.k8s.io v1 (v1beta1 and v1alpha1 still read), each rule validated
/// with upstream's field paths and words, and at least one rule.
public enum AuditPolicyReader {
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    static let groupVersions = ["audit.k8s.io/v1", "audit.k8s.io/v1beta1", "audit.k8s.io/v1alpha1"]

    public static func load(_ text: String) throws(Failure) -> AuditPolicy {
        let doc: JSON
        do {
            doc = try YAMLParser.parse(text)
        } catch {
            throw Failure(message: "failed decoding: \(error)")
        }
        guard doc.object != nil else { throw Failure(message: "failed decoding: the policy is not an object") }
        let apiVersion = doc["apiVersion"]?.string ?? ""
        let kind = doc["kind"]?.string ?? ""
        guard !kind.isEmpty else { throw Failure(message: "failed decoding: Object 'Kind' is missing in the policy") }
        guard groupVersions.contains(apiVersion), kind == "Policy" else {
            throw Failure(message: "unknown group version field \(apiVersion), Kind=\(kind) in policy")
        }
        var errors: [FieldError] = []
        var decodeErrors: [String] = []
        let field = FieldReader(errors: { decodeErrors.append($0) })
        var rules: [AuditPolicyRule] = []
        let ruleDocs = field.list(doc["rules"], "rules")
        for (i, r) in ruleDocs.enumerated() {
            let p = "rules[\(i)]"
            guard r.object != nil else { decodeErrors.append("\(p): expected an object"); continue }
            var rule = AuditPolicyRule(level: .none)
            let level = field.string(r["level"], p + ".level")
            if level.isEmpty {
                errors.append(.required(p + ".level"))
            } else if let l = AuditLevel(rawValue: level) {
                rule.level = l
            } else {
                errors.append(.notSupported(p + ".level", .string(level), AuditLevel.allCases.map(\.rawValue)))
            }
            rule.users = field.strings(r["users"], p + ".users")
            rule.userGroups = field.strings(r["userGroups"], p + ".userGroups")
            rule.verbs = field.strings(r["verbs"], p + ".verbs")
            rule.namespaces = field.strings(r["namespaces"], p + ".namespaces")
            rule.nonResourceURLs = field.strings(r["nonResourceURLs"], p + ".nonResourceURLs")
            for (j, url) in rule.nonResourceURLs.enumerated() where url != "*" {
                let up = "\(p).nonResourceURLs[\(j)]"
                if !url.hasPrefix("/") {
                    errors.append(.invalid(up, .string(url), "non-resource URL rules must begin with a '/' character"))
                }
                if !url.isEmpty, url.dropLast().contains("*") {
                    errors.append(.invalid(up, .string(url), "non-resource URL wildcards '*' must be the final character of the rule"))
                }
            }
            for (j, g) in field.list(r["resources"], p + ".resources").enumerated() {
                let gp = "\(p).resources[\(j)]"
                let gr = AuditPolicyRule.GroupResources(group: field.string(g["group"], gp + ".group"),
                                                        resources: field.strings(g["resources"], gp + ".resources"),
                                                        resourceNames: field.strings(g["resourceNames"], gp + ".resourceNames"))
                if !gr.group.isEmpty { errors += NameRules.dns1123Subdomain(p + ".resources.group", gr.group) }
                if !gr.resourceNames.isEmpty, gr.resources.isEmpty {
                    errors.append(.invalid(p + ".resources.resourceNames", strings(gr.resourceNames), "using resourceNames requires at least one resource"))
                }
                rule.resources.append(gr)
            }
            for (j, s) in field.strings(r["omitStages"], p + ".omitStages").enumerated() {
                if let stage = AuditStage(rawValue: s) {
                    rule.omitStages.insert(stage)
                } else {
                    errors.append(.invalid("\(p).omitStages[\(j)]", .string(s), "allowed stages are " + AuditStage.allCases.map(\.rawValue).joined(separator: ",")))
                }
            }
            rule.omitManagedFields = field.bool(r["omitManagedFields"], p + ".omitManagedFields")
            if !rule.nonResourceURLs.isEmpty, !rule.resources.isEmpty || !rule.namespaces.isEmpty {
                errors.append(.invalid(p + ".nonResourceURLs", strings(rule.nonResourceURLs), "rules cannot apply to both regular resources and non-resource URLs"))
            }
            rules.append(rule)
        }
        // As upstream, the policy's own omitStages are not validated: a stage it does not know is never written anyway.
        let omit = Set(field.strings(doc["omitStages"], "omitStages").compactMap(AuditStage.init(rawValue:)))
        let omitManaged = field.bool(doc["omitManagedFields"], "omitManagedFields") ?? false
        if !decodeErrors.isEmpty { throw Failure(message: "failed decoding: " + decodeErrors.joined(separator: ", ")) }
        if errors.count == 1 { throw Failure(message: errors[0].message) }
        if errors.count > 1 { throw Failure(message: "[" + errors.map(\.message).joined(separator: ", ") + "]") }
        guard !rules.isEmpty else { throw Failure(message: "loaded illegal policy with 0 rules") }
        return AuditPolicy(rules: rules, omitStages: omit, omitManagedFields: omitManaged)
    }

    static func strings(_ s: [String]) -> JSON { .array(s.map { .string($0) }) }

    /// Typed reads of the policy's fields; a value of the wrong type is a decoding error naming its field.
    struct FieldReader {
        let errors: (String) -> Void

        func list(_ v: JSON?, _ path: String) -> [JSON] {
            guard let v, !v.isNull else { return [] }
            guard let a = v.array else { errors("\(path): expected a list, got \(v.typeName)"); return [] }
            return a
        }

        func strings(_ v: JSON?, _ path: String) -> [String] {
            list(v, path).enumerated().compactMap { i, e in
                guard let s = e.string else { errors("\(path)[\(i)]: expected a string, got \(e.typeName)"); return nil }
                return s
            }
        }

        func string(_ v: JSON?, _ path: String) -> String {
            guard let v, !v.isNull else { return "" }
            guard let s = v.string else { errors("\(path): expected a string, got \(v.typeName)"); return "" }
            return s
        }

        func bool(_ v: JSON?, _ path: String) -> Bool? {
            guard let v, !v.isNull else { return nil }
            guard let b = v.bool else { errors("\(path): expected a boolean, got \(v.typeName)"); return nil }
            return b
        }
    }
}
