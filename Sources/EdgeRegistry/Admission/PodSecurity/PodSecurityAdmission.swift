import EdgeAPI
import Logging

/// Upstream's built-in PodSecurity admission: a namespace's
/// `pod-security.kubernetes.io/enforce` level refuses pods that violate it
/// (403, "violates PodSecurity \"restricted:latest\": ..."), `warn` answers
/// with Warning headers, `audit` is logged. Workload objects with a pod
/// template (Deployments, Jobs, ...) are never refused: their templates are
/// judged for warnings at the enforce and warn levels, as upstream. It runs
/// last among the mutating steps, so it judges the pod as it will be stored.
public struct PodSecurityAdmission: MutatingAdmissionStep {
    public let name = "PodSecurity"
    static let log = Logger(label: "edgectl.podsecurity")
    public init() {}

    public func admit(_ request: inout AdmissionRequest, _ store: ObjectStore) async throws {
        guard request.operation == .create || request.operation == .update, request.subresource == nil,
              let obj = request.object, let namespace = request.namespace, let spec = Self.podSpec(obj, request.resource) else { return }
        // As upstream, an update is judged again only when the pod spec or its AppArmor annotations change.
        let annotations = Self.podAnnotations(obj, request.resource)
        if request.operation == .update, let old = request.oldObject, Self.podSpec(old, request.resource) == spec,
           Self.appArmorAnnotations(Self.podAnnotations(old, request.resource)) == Self.appArmorAnnotations(annotations) { return }
        let ns = try? await store.getIfExists(BuiltinResources.namespaces, namespace: nil, name: namespace)
        let isPod = request.isCore("pods")
        let enforce = PodSecurityLevel.of(ns ?? nil, mode: "enforce")
        let warn = PodSecurityLevel.of(ns ?? nil, mode: "warn")
        let audit = PodSecurityLevel.of(ns ?? nil, mode: "audit")
        // As upstream, the audit event names the policy a pod was judged by.
        if isPod { AuditAnnotations.add("pod-security.kubernetes.io/enforce-policy", "\(enforce.level.rawValue):\(enforce.version)") }
        if enforce.level != .privileged {
            let v = PodSecurityChecks.violations(spec, level: enforce.level, annotations: annotations)
            if !v.isEmpty {
                let what = "PodSecurity \"\(enforce.level.rawValue):\(enforce.version)\": " + v.map(\.text).joined(separator: ", ")
                if isPod {
                    let r = request.resource
                    let name = request.name.isEmpty ? "" : " \"\(request.name)\""
                    throw APIError.forbidden("\(r.qualifiedName)\(name) is forbidden: violates \(what)", r, request.name)
                }
                request.warnings.append("would violate " + what)
            }
        }
        if warn.level != .privileged, warn != enforce || !isPod {
            let v = PodSecurityChecks.violations(spec, level: warn.level, annotations: annotations)
            let text = "would violate PodSecurity \"\(warn.level.rawValue):\(warn.version)\": " + v.map(\.text).joined(separator: ", ")
            if !v.isEmpty, !request.warnings.contains(text) { request.warnings.append(text) }
        }
        if audit.level != .privileged {
            let v = PodSecurityChecks.violations(spec, level: audit.level, annotations: annotations)
            if !v.isEmpty {
                AuditAnnotations.add("pod-security.kubernetes.io/audit-violations",
                                     "would violate PodSecurity \"\(audit.level.rawValue):\(audit.version)\": " + v.map(\.text).joined(separator: ", "))
                Self.log.notice("pod-security audit: \(request.resource.plural) \(namespace)/\(request.name) violates PodSecurity \"\(audit.level.rawValue):\(audit.version)\": \(v.map(\.text).joined(separator: ", "))")
            }
        }
    }

    /// The annotations of the pod a write carries (a workload's: its template's).
    static func podAnnotations(_ obj: JSON, _ r: ResourceInfo) -> JSON? {
        switch (r.group, r.plural) {
        case ("", "pods"): return obj[path: ["metadata", "annotations"]]
        case ("batch", "cronjobs"): return obj[path: ["spec", "jobTemplate", "spec", "template", "metadata", "annotations"]]
        default: return obj[path: ["spec", "template", "metadata", "annotations"]]
        }
    }

    static func appArmorAnnotations(_ annotations: JSON?) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in annotations?.object ?? JSONObject() where k.hasPrefix(PodSecurityChecks.appArmorAnnotationPrefix) { out[k] = v.string ?? "" }
        return out
    }

    /// The pod spec a write carries: a pod's own, or a workload's template.
    static func podSpec(_ obj: JSON, _ r: ResourceInfo) -> JSON? {
        switch (r.group, r.plural) {
        case ("", "pods"): return obj["spec"]
        case ("", "replicationcontrollers"), ("apps", "deployments"), ("apps", "replicasets"), ("apps", "daemonsets"),
             ("apps", "statefulsets"), ("batch", "jobs"):
            return obj[path: ["spec", "template", "spec"]]
        case ("batch", "cronjobs"): return obj[path: ["spec", "jobTemplate", "spec", "template", "spec"]]
        default: return nil
        }
    }
}
