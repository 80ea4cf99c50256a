import EdgeAPI

/// The few storage rules that differ by kind (upstream's per-kind "strategy"):
/// what a create resets, which part of an object a PUT may change, and how
/// deletion waits.
enum KindRules {
    static func prepareForCreate(_ obj: inout JSON, _ r: ResourceInfo) {
        switch (r.group, r.kind) {
        case ("", "Pod"):
            obj["status"] = ["phase": "Pending", "qosClass": .string(qosClass(obj))]
            addDefaultTolerations(&obj)
            // The ServiceAccount admission step: every pod runs as some account, except a node's mirror pods
            // (upstream leaves their spec alone; NodeRestriction refuses one that names an account).
            if obj[path: ["metadata", "annotations", NodeRestriction.mirrorPodAnnotation]] != nil { break }
            let sa = obj[path: ["spec", "serviceAccountName"]]?.string ?? obj[path: ["spec", "serviceAccount"]]?.string ?? ""
            obj[path: ["spec", "serviceAccountName"]] = .string(sa.isEmpty ? "default" : sa)
            obj[path: ["spec", "serviceAccount"]] = .string(sa.isEmpty ? "default" : sa)
        case ("", "Namespace"):
            obj["status"] = ["phase": "Active"]
            if obj[path: ["spec", "finalizers"]] == nil { obj[path: ["spec", "finalizers"]] = ["kubernetes"] }
        case ("", "Node"):
            break // nodes register with their status (upstream allows it on create)
        case ("batch", "Job"):
            obj["status"] = .object(JSONObject())
            // As upstream: unless the user manages the selector, the Job selects its pods by its uid.
            if obj[path: ["spec", "manualSelector"]]?.bool != true, let uid = obj[path: ["metadata", "uid"]]?.string {
                let name = obj[path: ["metadata", "name"]] ?? ""
                obj[path: ["spec", "selector"]] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
                for (k, v) in [("batch.kubernetes.io/controller-uid", JSON.string(uid)), ("controller-uid", .string(uid)),
                               ("batch.kubernetes.io/job-name", name), ("job-name", name)] {
                    obj[path: ["spec", "template", "metadata", "labels", k]] = v
                }
            }
        default:
            if r.hasStatus { obj["status"] = .object(JSONObject()) }
        }
    }

    /// Conversions every write of a kind gets (create and update).
    static func normalize(_ obj: inout JSON, _ r: ResourceInfo) {
        if r.group == "", r.kind == "Secret", let sd = obj["stringData"]?.object {
            // stringData is write-only: it is merged into data, base64-encoded, as upstream does.
            var data = obj["data"]?.object ?? JSONObject()
            for (k, v) in sd { data[k] = .string(Base64.encode(v.string ?? "")) }
            obj["data"] = .object(data)
            obj["stringData"] = nil
        }
    }

    /// Upstream's DefaultTolerationSeconds admission: pods ride out a node that
    /// is unreachable or not ready for 5 minutes before they are evicted.
    static func addDefaultTolerations(_ pod: inout JSON) {
        var tolerations = pod[path: ["spec", "tolerations"]]?.array ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let tolerated = tolerations.contains { t in
                let k = t["key"]?.string ?? ""
                let effect = t["effect"]?.string ?? ""
                return (k == key || (k.isEmpty && t["operator"]?.string == "Exists")) && (effect.isEmpty || effect == "NoExecute")
            }
            if !tolerated {
                tolerations.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300])
            }
        }
        pod[path: ["spec", "tolerations"]] = .array(tolerations)
    }

    /// The object a PUT stores: the main resource cannot change status and a
    /// status PUT cannot change anything else.
    static func merge(incoming: JSON, old: JSON, subresource: String?, _ r: ResourceInfo) -> JSON {
        switch subresource {
        case "status":
            var out = old
            out["status"] = incoming["status"]
            out["metadata"] = incoming["metadata"] ?? old["metadata"]
            return out
        case "approval":
            var out = old
            out[path: ["status", "conditions"]] = incoming[path: ["status", "conditions"]]
            out[path: ["metadata", "resourceVersion"]] = incoming[path: ["metadata", "resourceVersion"]]
            return out
        case "finalize":
            var out = old
            out[path: ["spec", "finalizers"]] = incoming[path: ["spec", "finalizers"]]
            out[path: ["metadata", "resourceVersion"]] = incoming[path: ["metadata", "resourceVersion"]]
            return out
        default:
            var out = incoming
            if r.hasStatus && r.kind != "Node" { out["status"] = old["status"] }
            if r.kind == "Node" && incoming["status"] == nil { out["status"] = old["status"] }
            if r.kind == "Namespace" { out["status"] = old["status"] }
            return out
        }
    }

    /// Whether anything but metadata and status changed (upstream bumps generation then).
    static func specChanged(_ new: JSON, _ old: JSON) -> Bool {
        var a = new, b = old
        for k in ["metadata", "status"] { a[k] = nil; b[k] = nil }
        return a != b
    }

    /// Seconds a delete waits before the object may go: pods on a node get their
    /// grace period so the node can stop containers; everything else goes now.
    static func gracePeriod(_ obj: JSON, _ r: ResourceInfo, requested: Int64?) -> Int64 {
        guard r.group == "", r.kind == "Pod" else { return 0 }
        let phase = obj[path: ["status", "phase"]]?.string
        if (obj[path: ["spec", "nodeName"]]?.string ?? "").isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        if let requested, requested >= 0 { return requested }
        return obj[path: ["spec", "terminationGracePeriodSeconds"]]?.int ?? 30
    }

    /// True when an object marked for deletion must stay until someone else
    /// finishes it (a namespace being emptied, a pod whose node is stopping it).
    static func waitsForGracefulDeletion(_ obj: JSON, _ r: ResourceInfo) -> Bool {
        if r.group == "" && r.kind == "Namespace" { return !(obj[path: ["spec", "finalizers"]]?.array ?? []).isEmpty }
        if r.group == "" && r.kind == "Pod" { return (obj[path: ["metadata", "deletionGracePeriodSeconds"]]?.int ?? 0) > 0 }
        return false
    }

    /// Kinds whose deletion always waits for someone (a namespace is emptied first).
    static func waitsOnDelete(_ obj: JSON, _ r: ResourceInfo) -> Bool {
        r.group == "" && r.kind == "Namespace" && !(obj[path: ["spec", "finalizers"]]?.array ?? []).isEmpty
    }

    static func markTerminating(_ obj: inout JSON, _ r: ResourceInfo) {
        if r.group == "" && r.kind == "Namespace" { obj[path: ["status", "phase"]] = "Terminating" }
    }

    /// Upstream's QoS classes: Guaranteed when every container has equal cpu and
    /// memory requests and limits, BestEffort when none has any, else Burstable.
    static func qosClass(_ pod: JSON) -> String {
        let containers = (pod[path: ["spec", "containers"]]?.array ?? []) + (pod[path: ["spec", "initContainers"]]?.array ?? [])
        var any = false
        var guaranteed = !containers.isEmpty
        for c in containers {
            let req = c[path: ["resources", "requests"]]?.object ?? JSONObject()
            let lim = c[path: ["resources", "limits"]]?.object ?? JSONObject()
            if !req.isEmpty || !lim.isEmpty { any = true }
            for res in ["cpu", "memory"] {
                guard let l = lim[res] else { guaranteed = false; continue }
                if let q = req[res], q != l { guaranteed = false }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
