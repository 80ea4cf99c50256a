/// apiregistration.k8s.io/v1 APIServices, as upstream's aggregator validates
/// them: named `<version>.<group>`, priorities in range, and either local (no
/// service, no CA bundle) or pointing at a service port.
public enum APIServiceValidator {
    public static func validate(_ o: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        let spec = o["spec"] ?? [:]
        let group = spec["group"]?.string ?? ""
        let version = spec["version"]?.string ?? ""
        let required = version + "." + group
        if let name = o[path: ["metadata", "name"]]?.string, !name.isEmpty, NameRules.pathSegment("metadata.name", name).isEmpty,
           name != required {
            errs.append(.invalid("metadata.name", .string(name), "must be `spec.version+\".\"+spec.group`: \"\(required)\""))
        }
        if group.isEmpty && version != "v1" {
            errs.append(.required("spec.group", "only v1 may have an empty group and it better be legacy kube"))
        }
        if !group.isEmpty { errs += NameRules.dns1123Subdomain("spec.group", group) }
        if !NameRules.isDNS1035Label(version) { errs += NameRules.dns1035Label("spec.version", version) }
        let groupPriority = spec["groupPriorityMinimum"]?.int ?? 0
        if groupPriority <= 0 || groupPriority > 20000 {
            errs.append(.invalid("spec.groupPriorityMinimum", .int(groupPriority), "must be positive and less than 20000"))
        }
        let versionPriority = spec["versionPriority"]?.int ?? 0
        if versionPriority <= 0 || versionPriority > 1000 {
            errs.append(.invalid("spec.versionPriority", .int(versionPriority), "must be positive and less than 1000"))
        }
        let caBundle = spec["caBundle"]?.string ?? ""
        let insecure = spec["insecureSkipTLSVerify"]?.bool ?? false
        guard let service = spec["service"], service.object != nil else {
            if !caBundle.isEmpty {
                errs.append(.invalid("spec.caBundle", .string("\(Base64.decode(caBundle)?.count ?? caBundle.utf8.count) bytes"),
                                     "local APIServices may not have a caBundle"))
            }
            if insecure { errs.append(.invalid("spec.insecureSkipTLSVerify", .bool(true), "local APIServices may not have insecureSkipTLSVerify")) }
            return errs
        }
        if (service["namespace"]?.string ?? "").isEmpty { errs.append(.required("spec.service.namespace")) }
        if (service["name"]?.string ?? "").isEmpty { errs.append(.required("spec.service.name")) }
        let port = service["port"]?.int ?? 443
        if port < 1 || port > 65535 {
            errs.append(.invalid("spec.service.port", .int(port), "port is not valid: must be between 1 and 65535, inclusive"))
        }
        if insecure && !caBundle.isEmpty {
            errs.append(.invalid("spec.insecureSkipTLSVerify", .bool(true), "may not be true if caBundle is present"))
        }
        return errs
    }

    /// Conditions may only be True, False or Unknown.
    public static func validateStatus(_ o: JSON) -> [FieldError] {
        var errs: [FieldError] = []
        for (i, c) in (o[path: ["status", "conditions"]]?.array ?? []).enumerated() {
            let s = c["status"]?.string ?? ""
            if !["True", "False", "Unknown"].contains(s) {
                errs.append(.notSupported("status.conditions[\(i)].status", .string(s), ["True", "False", "Unknown"]))
            }
        }
        return errs
    }
}
