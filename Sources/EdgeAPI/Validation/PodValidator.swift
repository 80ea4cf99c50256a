/// Pod spec validation (also for templates inside workloads).
public enum PodValidator {
    static let restartPolicies = ["Always", "OnFailure", "Never"]
    static let dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
    static let protocols = ["SCTP", "TCP", "UDP"]

    public static func spec(_ spec: JSON?, path: String) -> [FieldError] {
        guard let spec else { return [.required(path)] }
        var errs: [FieldError] = []
        let containers = spec["containers"]?.array ?? []
        if containers.isEmpty { errs.append(.required(path + ".containers")) }
        var names = Set<String>()
        let volumes = Set((spec["volumes"]?.array ?? []).compactMap { $0["name"]?.string })
        for (list, field) in [(spec["initContainers"]?.array ?? [], "initContainers"), (containers, "containers")] {
            for (i, c) in list.enumerated() {
                errs += container(c, path: "\(path).\(field)[\(i)]", names: &names, volumes: volumes)
            }
        }
        var volNames = Set<String>()
        for (i, v) in (spec["volumes"]?.array ?? []).enumerated() {
            let n = v["name"]?.string ?? ""
            let p = "\(path).volumes[\(i)].name"
            if n.isEmpty { errs.append(.required(p)) } else {
                errs += NameRules.dns1123Label(p, n)
                if !volNames.insert(n).inserted { errs.append(.duplicate(p, .string(n))) }
            }
            errs += PodVolumeValidator.volume(v, path: "\(path).volumes[\(i)]")
        }
        if let rp = spec["restartPolicy"]?.string, !restartPolicies.contains(rp) {
            errs.append(.notSupported(path + ".restartPolicy", .string(rp), restartPolicies))
        }
        if let dp = spec["dnsPolicy"]?.string, !dnsPolicies.contains(dp) {
            errs.append(.notSupported(path + ".dnsPolicy", .string(dp), dnsPolicies))
        }
        if let g = spec["terminationGracePeriodSeconds"]?.int, g < 0 {
            errs.append(.invalid(path + ".terminationGracePeriodSeconds", .int(g), "must be greater than or equal to 0"))
        }
        errs += PodRangeValidator.spec(spec, path: path)
        errs += ObjectMetaValidator.labels(spec["nodeSelector"], path: path + ".nodeSelector")
        for (i, t) in (spec["tolerations"]?.array ?? []).enumerated() {
            if let op = t["operator"]?.string, !["Exists", "Equal"].contains(op) {
                errs.append(.notSupported("\(path).tolerations[\(i)].operator", .string(op), ["Equal", "Exists"]))
            }
            if let e = t["effect"]?.string, !e.isEmpty, !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(e) {
                errs.append(.notSupported("\(path).tolerations[\(i)].effect", .string(e), ["NoExecute", "NoSchedule", "PreferNoSchedule"]))
            }
        }
        return errs
    }

    static func container(_ c: JSON, path: String, names: inout Set<String>, volumes: Set<String>) -> [FieldError] {
        var errs: [FieldError] = []
        let name = c["name"]?.string ?? ""
        if name.isEmpty { errs.append(.required(path + ".name")) } else {
            errs += NameRules.dns1123Label(path + ".name", name)
            if !names.insert(name).inserted { errs.append(.duplicate(path + ".name", .string(name))) }
        }
        if (c["image"]?.string ?? "").trimmingSpaces.isEmpty { errs.append(.required(path + ".image")) }
        var portNames = Set<String>()
        for (i, p) in (c["ports"]?.array ?? []).enumerated() {
            let pp = "\(path).ports[\(i)]"
            let port = p["containerPort"]?.int ?? 0
            if port < 1 || port > 65535 { errs.append(.invalid(pp + ".containerPort", .int(port), "must be between 1 and 65535, inclusive")) }
            if let hp = p["hostPort"]?.int, hp != 0, hp < 1 || hp > 65535 {
                errs.append(.invalid(pp + ".hostPort", .int(hp), "must be between 1 and 65535, inclusive"))
            }
            if let proto = p["protocol"]?.string, !protocols.contains(proto) { errs.append(.notSupported(pp + ".protocol", .string(proto), protocols)) }
            if let n = p["name"]?.string, !n.isEmpty, !portNames.insert(n).inserted { errs.append(.duplicate(pp + ".name", .string(n))) }
        }
        var envNames = Set<String>()
        for (i, e) in (c["env"]?.array ?? []).enumerated() {
            let n = e["name"]?.string ?? ""
            if n.isEmpty || n.contains("=") {
                errs.append(n.isEmpty ? .required("\(path).env[\(i)].name") : .invalid("\(path).env[\(i)].name", .string(n), "a valid environment variable name must consist only of printable ASCII characters other than '='"))
            }
            _ = envNames.insert(n)
            if let vf = e["valueFrom"]?.object {
                let sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"].filter { vf[$0] != nil }
                if sources.count != 1 {
                    errs.append(.invalid("\(path).env[\(i)].valueFrom", .string(""), "may not have more than one field specified at a time"))
                }
                if e["value"]?.string?.isEmpty == false {
                    errs.append(.invalid("\(path).env[\(i)].valueFrom", .string(""), "may not be specified when `value` is not empty"))
                }
            }
        }
        for (i, m) in (c["volumeMounts"]?.array ?? []).enumerated() {
            let n = m["name"]?.string ?? ""
            if !volumes.contains(n) { errs.append(.notFound("\(path).volumeMounts[\(i)].name", .string(n))) }
            if (m["mountPath"]?.string ?? "").isEmpty { errs.append(.required("\(path).volumeMounts[\(i)].mountPath")) }
            // Upstream names these without the mount's index (its field path is the list's).
            let subPath = m["subPath"]?.string ?? ""
            if !subPath.isEmpty { errs += LocalPathRules.descending("\(path).volumeMounts.subPath", subPath) }
            if let expr = m["subPathExpr"]?.string, !expr.isEmpty {
                if !subPath.isEmpty {
                    errs.append(.invalid("\(path).volumeMounts[\(i)].subPathExpr", .string(expr), "subPathExpr and subPath are mutually exclusive"))
                }
                errs += LocalPathRules.descending("\(path).volumeMounts.subPathExpr", expr)
            }
        }
        for res in ["cpu", "memory"] {
            if let l = c[path: ["resources", "limits", res]], let r = c[path: ["resources", "requests", res]],
               let lm = QuantityValue.milli(l), let rm = QuantityValue.milli(r), rm > lm {
                errs.append(.invalid("\(path).resources.requests", r, "must be less than or equal to \(res) limit of \(l.string ?? "")"))
            }
        }
        for kind in ["limits", "requests"] {
            for (k, v) in c[path: ["resources", kind]]?.object ?? JSONObject() where QuantityValue.milli(v) == nil {
                errs.append(.invalid("\(path).resources.\(kind)[\(k)]", v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"))
            }
        }
        return errs
    }

    /// Pod updates may change only images, activeDeadlineSeconds and added tolerations (upstream's rule, simplified).
    public static func update(_ new: JSON, _ old: JSON) -> [FieldError] {
        var a = new["spec"] ?? [:], b = old["spec"] ?? [:]
        for key in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"] { a[key] = nil; b[key] = nil }
        for field in ["containers", "initContainers"] {
            let oldImages = (b[field]?.array ?? []).map { $0["image"] ?? .null }
            if var list = a[field]?.array, list.count == oldImages.count {
                for i in list.indices { list[i]["image"] = oldImages[i] }
                a[field] = .array(list)
            }
        }
        // Binding sets nodeName once; status-only writers keep it.
        if (b["nodeName"]?.string ?? "").isEmpty { a["nodeName"] = nil; b["nodeName"] = nil }
        if a != b {
            return [.forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")]
        }
        return []
    }
}

extension FieldError {
    static func notFound(_ field: String, _ value: JSON) -> FieldError {
        FieldError(kind: .invalid, field: field, body: "Not found: \(goValue(value))")
    }
}

extension String {
    public var trimmingSpaces: String { String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()) }
}
