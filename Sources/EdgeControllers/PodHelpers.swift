import EdgeAPI

/// Pod facts controllers share (upstream's podutil).
public enum PodHelpers {
    public static func isTerminal(_ pod: JSON) -> Bool {
        let phase = pod[path: ["status", "phase"]]?.string
        return phase == "Succeeded" || phase == "Failed"
    }

    public static func isBeingDeleted(_ obj: JSON) -> Bool { obj[path: ["metadata", "deletionTimestamp"]] != nil }

    /// Active: counts toward a controller's replicas (not finished, not going away).
    public static func isActive(_ pod: JSON) -> Bool { !isTerminal(pod) && !isBeingDeleted(pod) }

    public static func condition(_ obj: JSON, _ type: String) -> JSON? {
        (obj[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == type }
    }

    public static func isReady(_ pod: JSON) -> Bool { condition(pod, "Ready")?["status"]?.string == "True" }

    /// Ready for at least `minReadySeconds` at `now`.
    public static func isAvailable(_ pod: JSON, minReadySeconds: Int64, now: Timestamp) -> Bool {
        guard isReady(pod) else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = condition(pod, "Ready")?["lastTransitionTime"]?.string.flatMap(Timestamp.init(rfc3339:)) else { return false }
        return since.seconds.saturatingAdding(minReadySeconds) <= now.seconds
    }

    /// The controlling owner reference, if any.
    public static func controllerRef(_ obj: JSON) -> JSON? {
        (obj[path: ["metadata", "ownerReferences"]]?.array ?? []).first { $0["controller"]?.bool == true }
    }

    public static func ownerReference(to owner: JSON, blockOwnerDeletion: Bool = true) -> JSON {
        ["apiVersion": owner["apiVersion"] ?? "", "kind": owner["kind"] ?? "",
         "name": owner[path: ["metadata", "name"]] ?? "", "uid": owner[path: ["metadata", "uid"]] ?? "",
         "controller": true, "blockOwnerDeletion": .bool(blockOwnerDeletion)]
    }

    /// Labels of an object, as a map.
    public static func labels(_ obj: JSON) -> JSONObject { obj[path: ["metadata", "labels"]]?.object ?? JSONObject() }

    /// A new pod from a pod template, owned by `owner`.
    public static func pod(from template: JSON?, owner: JSON, generateName: String, namespace: String) -> JSON {
        var meta = template?["metadata"]?.object ?? JSONObject()
        meta["generateName"] = .string(generateName)
        meta["namespace"] = .string(namespace)
        meta["name"] = nil
        meta["ownerReferences"] = [ownerReference(to: owner)]
        meta["creationTimestamp"] = nil
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": template?["spec"] ?? [:]]
    }
}
