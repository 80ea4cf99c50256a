import EdgeAPI

/// The autoscaling/v1 Scale view of workloads (the `scale` subresource used by
/// `kubectl scale` and autoscalers).
enum Scale {
    static func from(_ obj: JSON, _ r: ResourceInfo) -> JSON {
        var meta = JSON.object(JSONObject())
        for k in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = obj[path: ["metadata", k]] { meta[k] = v }
        }
        return ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
                "spec": ["replicas": .int(obj[path: ["spec", "replicas"]]?.int ?? 0)],
                "status": ["replicas": .int(obj[path: ["status", "replicas"]]?.int ?? 0),
                           "selector": .string(selectorString(obj[path: ["spec", "selector"]]))]]
    }

    static func update(store: ObjectStore, _ r: ResourceInfo, namespace: String?, name: String, scale: JSON,
                       dryRun: Bool) async throws -> JSON {
        guard let replicas = scale[path: ["spec", "replicas"]]?.int else {
            throw APIError.invalidField(r, name, field: "spec.replicas", reason: "FieldValueRequired", detail: "Required value")
        }
        if replicas < 0 {
            throw APIError(code: 422, reason: "Invalid",
                           message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: \(replicas): must be greater than or equal to 0",
                           details: .init(name: name, group: "autoscaling", kind: "Scale",
                                          causes: [.init(reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas")]))
        }
        let pinnedRV = scale[path: ["metadata", "resourceVersion"]]?.string
        return try await store.guaranteedUpdate(r, namespace: namespace, name: name, dryRun: dryRun) { old in
            var new = old
            new[path: ["spec", "replicas"]] = .int(replicas)
            if let pinnedRV { new[path: ["metadata", "resourceVersion"]] = .string(pinnedRV) }
            return (new, pinnedRV != nil)
        }
    }

    /// A LabelSelector object as its string form (`app=web,tier in (a,b)`).
    static func selectorString(_ sel: JSON?) -> String {
        guard let sel else { return "" }
        var parts: [String] = []
        if let ml = sel["matchLabels"]?.object {
            for k in ml.sortedKeys { parts.append("\(k)=\(ml[k]?.string ?? "")") }
        }
        for e in sel["matchExpressions"]?.array ?? [] {
            let key = e["key"]?.string ?? ""
            let values = (e["values"]?.array ?? []).compactMap(\.string).sorted().joined(separator: ",")
            switch e["operator"]?.string {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: break
            }
        }
        return parts.joined(separator: ",")
    }
}
