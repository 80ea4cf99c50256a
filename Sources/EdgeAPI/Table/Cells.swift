/// Cell formatting shared by the table columns (upstream printers' helpers).
enum Cells {
    static func s(_ o: JSON, _ path: String..., none: String = "<none>") -> JSON {
        guard let v = o[path: path]?.string, !v.isEmpty else { return .string(none) }
        return .string(v)
    }

    static func i(_ o: JSON, _ path: String...) -> Int64 { o[path: path]?.int ?? 0 }

    static func mapString(_ m: JSON?) -> String {
        guard let o = m?.object, !o.isEmpty else { return "<none>" }
        return o.sortedKeys.map { "\($0)=\(o[$0]?.string ?? "")" }.joined(separator: ",")
    }

    static func selector(_ o: JSON) -> String {
        guard let sel = o[path: ["spec", "selector"]], let s = try? LabelSelector.from(sel) else { return "<none>" }
        let d = s.description
        return d.isEmpty ? "<none>" : d
    }

    struct ContainerFields { var name: String; var image: String }

    static func containers(_ o: JSON, _ field: KeyPath<ContainerFields, String>) -> String {
        let spec = o[path: ["spec", "template", "spec"]] ?? o[path: ["spec", "jobTemplate", "spec", "template", "spec"]]
        let cs = (spec?["containers"]?.array ?? []).map { ContainerFields(name: $0["name"]?.string ?? "", image: $0["image"]?.string ?? "") }
        return cs.map { $0[keyPath: field] }.joined(separator: ",")
    }

    static func truncatedList(_ items: [String], max: Int = 3) -> String {
        if items.count <= max { return items.joined(separator: ",") }
        return items.prefix(max).joined(separator: ",") + " + \(items.count - max) more..."
    }

    static func nodeStatus(_ n: JSON) -> String {
        let ready = (n[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "Ready" }
        var parts: [String]
        // As upstream's printer: any Ready status but True (False or Unknown) reads NotReady; no condition at all, Unknown.
        switch ready?["status"]?.string {
        case "True": parts = ["Ready"]
        case nil: parts = ["Unknown"]
        default: parts = ["NotReady"]
        }
        if n[path: ["spec", "unschedulable"]]?.bool == true { parts.append("SchedulingDisabled") }
        return parts.joined(separator: ",")
    }

    static func nodeRoles(_ n: JSON) -> String {
        var roles: [String] = []
        for (k, v) in n[path: ["metadata", "labels"]]?.object ?? JSONObject() {
            if k.hasPrefix("node-role.kubernetes.io/") { roles.append(String(k.dropFirst("node-role.kubernetes.io/".count))) }
            else if k == "kubernetes.io/role", let r = v.string { roles.append(r) }
        }
        return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
    }

    static func address(_ n: JSON, _ type: String) -> String {
        (n[path: ["status", "addresses"]]?.array ?? []).first { $0["type"]?.string == type }?["address"]?.string ?? "<none>"
    }

    static func externalIPs(_ svc: JSON) -> String {
        let type = svc[path: ["spec", "type"]]?.string ?? "ClusterIP"
        let ips = (svc[path: ["spec", "externalIPs"]]?.array ?? []).compactMap(\.string)
        switch type {
        case "LoadBalancer":
            let lb = (svc[path: ["status", "loadBalancer", "ingress"]]?.array ?? []).compactMap { $0["ip"]?.string ?? $0["hostname"]?.string }
            let all = lb + ips
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName":
            return svc[path: ["spec", "externalName"]]?.string ?? "<none>"
        default:
            return ips.isEmpty ? "<none>" : ips.joined(separator: ",")
        }
    }

    static func servicePorts(_ svc: JSON) -> String {
        let ports = svc[path: ["spec", "ports"]]?.array ?? []
        if ports.isEmpty { return "<none>" }
        return ports.map { p in
            let port = p["port"]?.int ?? 0
            let proto = p["protocol"]?.string ?? "TCP"
            if let np = p["nodePort"]?.int, np > 0 { return "\(port):\(np)/\(proto)" }
            return "\(port)/\(proto)"
        }.joined(separator: ",")
    }

    static func endpoints(_ ep: JSON) -> String {
        var list: [String] = []
        for s in ep["subsets"]?.array ?? [] {
            let ports = (s["ports"]?.array ?? []).compactMap { $0["port"]?.int }
            for a in s["addresses"]?.array ?? [] {
                let ip = a["ip"]?.string ?? ""
                if ports.isEmpty { list.append(ip) } else { list += ports.map { "\(ip):\($0)" } }
            }
        }
        return list.isEmpty ? "<none>" : truncatedList(list)
    }

    static func jobStatus(_ j: JSON) -> String {
        let conds = j[path: ["status", "conditions"]]?.array ?? []
        func has(_ t: String) -> Bool { conds.contains { $0["type"]?.string == t && $0["status"]?.string == "True" } }
        if has("Complete") { return "Complete" }
        if has("Failed") { return "Failed" }
        if j[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
        if has("SuccessCriteriaMet") { return "SuccessCriteriaMet" }
        if has("FailureTarget") { return "FailureTarget" }
        if j[path: ["spec", "suspend"]]?.bool == true { return "Suspended" }
        return "Running"
    }

    static func jobCompletions(_ j: JSON) -> String {
        let succeeded = j[path: ["status", "succeeded"]]?.int ?? 0
        if let c = j[path: ["spec", "completions"]]?.int { return "\(succeeded)/\(c)" }
        let parallelism = j[path: ["spec", "parallelism"]]?.int ?? 1
        return parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1"
    }

    static func jobDuration(_ j: JSON, _ now: Timestamp) -> String {
        guard let start = j[path: ["status", "startTime"]]?.string.flatMap(Timestamp.init(rfc3339:)) else { return "" }
        let end = j[path: ["status", "completionTime"]]?.string.flatMap(Timestamp.init(rfc3339:)) ?? now
        return HumanDuration.format(seconds: end.seconds - start.seconds)
    }

    static func csrCondition(_ csr: JSON) -> String {
        var states: [String] = []
        for c in csr[path: ["status", "conditions"]]?.array ?? [] {
            if let t = c["type"]?.string { states.append(t) }
        }
        if states.isEmpty { states = ["Pending"] }
        if csr[path: ["status", "certificate"]] != nil { states.append("Issued") }
        return states.joined(separator: ",")
    }

    static func hpaTargets(_ h: JSON) -> String {
        var parts: [String] = []
        let current = h[path: ["status", "currentMetrics"]]?.array ?? []
        for (i, m) in (h[path: ["spec", "metrics"]]?.array ?? []).enumerated() where m["type"]?.string == "Resource" {
            let name = m[path: ["resource", "name"]]?.string ?? ""
            let target = m[path: ["resource", "target", "averageUtilization"]]?.int.map { "\($0)%" } ?? "<unknown>"
            let cur = i < current.count ? current[i][path: ["resource", "current", "averageUtilization"]]?.int.map { "\($0)%" } : nil
            parts.append("\(name): \(cur ?? "<unknown>")/\(target)")
        }
        return parts.isEmpty ? "<none>" : parts.joined(separator: ", ")
    }

    /// An APIService's backend: `namespace/name` of its service, or Local.
    static func apiServiceTarget(_ a: JSON) -> String {
        guard let svc = a[path: ["spec", "service"]], svc.object != nil else { return "Local" }
        return "\(svc["namespace"]?.string ?? "")/\(svc["name"]?.string ?? "")"
    }

    /// The Available condition as upstream prints it: `True`, or `False (Reason)`, or Unknown.
    static func apiServiceAvailable(_ a: JSON) -> String {
        guard let c = (a[path: ["status", "conditions"]]?.array ?? []).first(where: { $0["type"]?.string == "Available" }) else {
            return "Unknown"
        }
        let status = c["status"]?.string ?? ""
        let reason = c["reason"]?.string ?? ""
        if status == "True" || reason.isEmpty { return status }
        return "\(status) (\(reason))"
    }
}
