/// core/v1 ReplicationControllers, as upstream's ValidateReplicationControllerSpec:
/// a non-empty map selector that the template's labels match, a template whose
/// pods restart Always, and non-negative counts.
public enum ReplicationControllerValidator {
    public static func validate(_ o: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        ObjectMetaValidator.nonNegative(o, ["spec", "replicas"], &errs)
        ObjectMetaValidator.nonNegative(o, ["spec", "minReadySeconds"], &errs)
        let selector = o[path: ["spec", "selector"]]?.object ?? JSONObject()
        if selector.isEmpty {
            errs.append(.required("spec.selector"))
        } else {
            errs += ObjectMetaValidator.labels(o[path: ["spec", "selector"]], path: "spec.selector")
        }
        guard let template = o[path: ["spec", "template"]], template.object != nil else {
            errs.append(.required("spec.template"))
            return errs
        }
        let labels = template[path: ["metadata", "labels"]]?.object ?? JSONObject()
        if !selector.isEmpty, !selector.allSatisfy({ labels[$0.key] == $0.value }) {
            errs.append(.invalid("spec.template.metadata.labels", template[path: ["metadata", "labels"]] ?? [:],
                                 "`selector` does not match template `labels`"))
        }
        errs += ObjectMetaValidator.labels(template[path: ["metadata", "labels"]], path: "spec.template.metadata.labels")
        errs += PodValidator.spec(template["spec"], path: "spec.template.spec")
        if let rp = template[path: ["spec", "restartPolicy"]]?.string, rp != "Always" {
            errs.append(.notSupported("spec.template.spec.restartPolicy", .string(rp), ["Always"]))
        }
        return errs
    }
}
