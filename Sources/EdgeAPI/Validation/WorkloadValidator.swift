/// Deployments, ReplicaSets, StatefulSets and DaemonSets: replica counts,
/// a selector that matches the template's labels, the pod template, and
/// (on update) a selector that never changes, as upstream's apps validation.
public enum WorkloadValidator {
    public static func validate(_ o: JSON, kind: String) -> [FieldError] {
        var errs: [FieldError] = []
        ObjectMetaValidator.nonNegative(o, ["spec", "replicas"], &errs)
        ObjectMetaValidator.nonNegative(o, ["spec", "minReadySeconds"], &errs)
        ObjectMetaValidator.nonNegative(o, ["spec", "revisionHistoryLimit"], &errs)
        let selector = o[path: ["spec", "selector"]]
        let templateLabels = o[path: ["spec", "template", "metadata", "labels"]]?.object ?? JSONObject()
        if selector == nil || (selector?["matchLabels"]?.object?.isEmpty ?? true && selector?["matchExpressions"]?.array?.isEmpty ?? true) {
            errs.append(.required("spec.selector"))
        } else if let selector, let parsed = try? LabelSelector.from(selector) {
            if !parsed.matches(templateLabels) {
                errs.append(.invalid("spec.template.metadata.labels", o[path: ["spec", "template", "metadata", "labels"]] ?? [:],
                                     "`selector` does not match template `labels`"))
            }
        } else if let selector {
            errs.append(.invalid("spec.selector", selector, "invalid label selector"))
        }
        errs += ObjectMetaValidator.labels(o[path: ["spec", "template", "metadata", "labels"]], path: "spec.template.metadata.labels")
        errs += PodValidator.spec(o[path: ["spec", "template", "spec"]], path: "spec.template.spec")
        if kind == "Deployment" {
            let type = o[path: ["spec", "strategy", "type"]]?.string ?? "RollingUpdate"
            if !["RollingUpdate", "Recreate"].contains(type) {
                errs.append(.notSupported("spec.strategy.type", .string(type), ["Recreate", "RollingUpdate"]))
            }
            let surge = o[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]]
            let unavail = o[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]]
            if let s = surge, let u = unavail, isZero(s), isZero(u) {
                errs.append(.invalid("spec.strategy.rollingUpdate.maxUnavailable", u, "may not be 0 when `maxSurge` is 0"))
            }
        }
        if kind != "Deployment", kind != "StatefulSet",
           let rp = o[path: ["spec", "template", "spec", "restartPolicy"]]?.string, rp != "Always" {
            errs.append(.notSupported("spec.template.spec.restartPolicy", .string(rp), ["Always"]))
        }
        return errs
    }

    /// What an update may not change: the selector.
    public static func validateUpdate(_ o: JSON, old: JSON) -> [FieldError] {
        guard old[path: ["spec", "selector"]] != o[path: ["spec", "selector"]] else { return [] }
        return [.immutable("spec.selector", o[path: ["spec", "selector"]] ?? .null)]
    }

    static func isZero(_ v: JSON) -> Bool { v.int == 0 || v.string == "0%" || v.string == "0" }
}
