/// Per-kind validation as upstream's (the subset that matters for correctness
/// and clear errors): metadata, pod templates, workloads, services, config.
public enum Validator {
    public static func validate(kind: String, group: String, object o: JSON, old: JSON?, namespaced: Bool) -> [FieldError] {
        var errs = metadata(o["metadata"], kind: kind, namespaced: namespaced)
        if let old { errs += immutableMeta(o, old) }
        switch (group, kind) {
        case ("", "Pod"):
            errs += PodValidator.spec(o["spec"], path: "spec")
            if let old { errs += PodValidator.update(o, old) }
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"):
            errs += workload(o, kind: kind)
            if let old, old[path: ["spec", "selector"]] != o[path: ["spec", "selector"]] {
                errs.append(.immutable("spec.selector", o[path: ["spec", "selector"]] ?? .null))
            }
        case ("batch", "Job"):
            errs += job(o["spec"] ?? [:], path: "spec")
        case ("batch", "CronJob"):
            errs += cronJob(o)
        case ("", "Service"):
            errs += ServiceValidator.validate(o, old: old)
        case ("", "Node"):
            errs += NodeValidator.validate(o, old: old)
        case ("", "ConfigMap"), ("", "Secret"):
            for field in ["data", "binaryData"] {
                for k in (o[field]?.object ?? JSONObject()).keys { errs += NameRules.configKey("\(field)[\(k)]", k) }
            }
            if let old, old["immutable"]?.bool == true {
                if old["data"] != o["data"] { errs.append(.forbidden("data", "field is immutable when `immutable` is set")) }
            }
        case ("autoscaling", "HorizontalPodAutoscaler"):
            let minR = o[path: ["spec", "minReplicas"]]?.int ?? 1
            let maxR = o[path: ["spec", "maxReplicas"]]?.int ?? 0
            if minR < 1 { errs.append(.invalid("spec.minReplicas", .int(minR), "must be greater than or equal to 1")) }
            if maxR < minR { errs.append(.invalid("spec.maxReplicas", .int(maxR), "must be greater than or equal to `minReplicas`")) }
            if o[path: ["spec", "scaleTargetRef", "name"]]?.string?.isEmpty ?? true { errs.append(.required("spec.scaleTargetRef.name")) }
        default:
            break
        }
        return errs
    }

    static let labelNameKinds: Set<String> = ["Namespace", "Service"]

    static func metadata(_ m: JSON?, kind: String, namespaced: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        let name = m?["name"]?.string ?? ""
        if name.isEmpty {
            errs.append(.required("metadata.name", "name or generateName is required"))
        } else if kind == "Namespace" {
            errs += NameRules.dns1123Label("metadata.name", name)
        } else if kind == "Service" {
            errs += NameRules.dns1035Label("metadata.name", name)
        } else {
            errs += NameRules.dns1123Subdomain("metadata.name", name)
        }
        errs += labels(m?["labels"], path: "metadata.labels")
        for k in (m?["annotations"]?.object ?? JSONObject()).keys where !LabelRules.isQualifiedName(k) {
            errs.append(.invalid("metadata.annotations", .string(k), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
        }
        for (i, f) in (m?["finalizers"]?.array ?? []).enumerated() where !LabelRules.isQualifiedName(f.string ?? "") {
            errs.append(.invalid("metadata.finalizers[\(i)]", f, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"))
        }
        for (i, r) in (m?["ownerReferences"]?.array ?? []).enumerated() {
            for f in ["apiVersion", "kind", "name", "uid"] where (r[f]?.string ?? "").isEmpty {
                errs.append(.required("metadata.ownerReferences[\(i)].\(f)"))
            }
        }
        return errs
    }

    static func labels(_ l: JSON?, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        for (k, v) in l?.object ?? JSONObject() {
            if !LabelRules.isQualifiedName(k) {
                errs.append(.invalid(path, .string(k), "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"))
            }
            if !LabelRules.isLabelValue(v.string ?? "") {
                errs.append(.invalid(path, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
            }
        }
        return errs
    }

    static func immutableMeta(_ o: JSON, _ old: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        for f in ["name", "namespace"] where (o[path: ["metadata", f]]?.string ?? "") != (old[path: ["metadata", f]]?.string ?? "") {
            errs.append(.immutable("metadata.\(f)", o[path: ["metadata", f]] ?? .null))
        }
        return errs
    }

    static func nonNegative(_ o: JSON, _ path: [String], _ errs: inout [FieldError]) {
        if let v = o[path: path]?.int, v < 0 {
            errs.append(.invalid(path.joined(separator: "."), .int(v), "must be greater than or equal to 0"))
        }
    }

    static func workload(_ o: JSON, kind: String) -> [FieldError] {
        var errs: [FieldError] = []
        nonNegative(o, ["spec", "replicas"], &errs)
        nonNegative(o, ["spec", "minReadySeconds"], &errs)
        nonNegative(o, ["spec", "revisionHistoryLimit"], &errs)
        let selector = o[path: ["spec", "selector"]]
        let templateLabels = o[path: ["spec", "template", "metadata", "labels"]]?.object ?? JSONObject()
        if selector == nil || (selector?["matchLabels"]?.object?.isEmpty ?? true && selector?["matchExpressions"]?.array?.isEmpty ?? true) {
            errs.append(.required("spec.selector"))
        } else if let parsed = try? LabelSelector.from(selector!) {
            if !parsed.matches(templateLabels) {
                errs.append(.invalid("spec.template.metadata.labels", o[path: ["spec", "template", "metadata", "labels"]] ?? [:],
                                     "`selector` does not match template `labels`"))
            }
        } else {
            errs.append(.invalid("spec.selector", selector!, "invalid label selector"))
        }
        errs += labels(o[path: ["spec", "template", "metadata", "labels"]], path: "spec.template.metadata.labels")
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

    static func isZero(_ v: JSON) -> Bool { v.int == 0 || v.string == "0%" || v.string == "0" }

    static func job(_ spec: JSON, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let s: JSON = ["s": spec]
        for f in ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"] {
            nonNegative(s, ["s", f], &errs)
        }
        errs = errs.map { var e = $0; e.field = path + e.field.dropFirst(1); return e }
        errs += PodValidator.spec(spec[path: ["template", "spec"]], path: path + ".template.spec")
        let rp = spec[path: ["template", "spec", "restartPolicy"]]?.string ?? "Always"
        if rp != "OnFailure" && rp != "Never" {
            errs.append(.notSupported(path + ".template.spec.restartPolicy", .string(rp), ["OnFailure", "Never"]))
        }
        return errs
    }

    static func cronJob(_ o: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let schedule = o[path: ["spec", "schedule"]]?.string ?? ""
        if schedule.isEmpty { errs.append(.required("spec.schedule")) } else {
            do { _ = try CronSchedule(schedule) } catch {
                errs.append(.invalid("spec.schedule", .string(schedule), "unparseable cron expression: \(error)"))
            }
        }
        if let p = o[path: ["spec", "concurrencyPolicy"]]?.string, !["Allow", "Forbid", "Replace"].contains(p) {
            errs.append(.notSupported("spec.concurrencyPolicy", .string(p), ["Allow", "Forbid", "Replace"]))
        }
        errs += job(o[path: ["spec", "jobTemplate", "spec"]] ?? [:], path: "spec.jobTemplate.spec")
        return errs
    }
}

