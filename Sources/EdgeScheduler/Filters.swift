import EdgeAPI

/// The filter plugins: each says why a node cannot take a pod (upstream's
/// reason texts, which `kubectl describe pod` shows), or nil when it can.
public enum Filters {
    public typealias Filter = @Sendable (_ pod: JSON, _ placed: PlacedPod, _ node: NodeInfo, _ all: [String: NodeInfo]) -> [String]

    public static let all: [Filter] = [unschedulable, taints, nodeAffinity, resources, hostPorts, podAntiAffinity]

    static let unschedulable: Filter = { pod, _, node, _ in
        guard node.node[path: ["spec", "unschedulable"]]?.bool == true else { return [] }
        let tolerates = tolerations(pod).contains { t in
            tolerationMatches(t, key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule")
        }
        return tolerates ? [] : ["node(s) were unschedulable"]
    }

    /// NoSchedule and NoExecute taints need a toleration; a node that is not
    /// Ready is treated as carrying the not-ready taint even before the node
    /// controller adds it, so no pod lands on a node that cannot run it.
    static let taints: Filter = { pod, _, node, _ in
        var taints = (node.node[path: ["spec", "taints"]]?.array ?? []).map {
            (key: $0["key"]?.string ?? "", value: $0["value"]?.string ?? "", effect: $0["effect"]?.string ?? "")
        }
        if !isReady(node.node), !taints.contains(where: { $0.key.hasPrefix("node.kubernetes.io/") }) {
            taints.append((key: "node.kubernetes.io/not-ready", value: "", effect: "NoSchedule"))
        }
        let tols = tolerations(pod)
        for t in taints where t.effect == "NoSchedule" || t.effect == "NoExecute" {
            if !tols.contains(where: { tolerationMatches($0, key: t.key, value: t.value, effect: t.effect) }) {
                return ["node(s) had untolerated taint {\(t.key): \(t.value)}"]
            }
        }
        return []
    }

    static let nodeAffinity: Filter = { pod, _, node, _ in
        let reason = ["node(s) didn't match Pod's node affinity/selector"]
        for (k, v) in pod[path: ["spec", "nodeSelector"]]?.object ?? JSONObject() where node.labels[k] != v { return reason }
        if let required = pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]] {
            let terms = required["nodeSelectorTerms"]?.array ?? []
            if !terms.contains(where: { SelectorMatch.nodeSelectorTerm($0, node) }) { return reason }
        }
        return []
    }

    static let resources: Filter = { _, placed, node, _ in
        var out: [String] = []
        let req = placed.requests
        let free = node.allocatable - node.requested
        if node.allocatable.pods > 0 && free.pods < 1 { out.append("Too many pods") }
        if req.milliCPU > 0 && req.milliCPU > free.milliCPU { out.append("Insufficient cpu") }
        if req.memory > 0 && req.memory > free.memory { out.append("Insufficient memory") }
        if req.ephemeralStorage > 0 && req.ephemeralStorage > free.ephemeralStorage { out.append("Insufficient ephemeral-storage") }
        return out
    }

    static let hostPorts: Filter = { _, placed, node, _ in
        guard !placed.hostPorts.isEmpty else { return [] }
        for other in node.pods.values {
            for a in placed.hostPorts {
                for b in other.hostPorts where a.port == b.port && a.proto == b.proto
                    && (a.ip == b.ip || a.ip == "0.0.0.0" || b.ip == "0.0.0.0") {
                    return ["node(s) didn't have free ports for the requested pod ports"]
                }
            }
        }
        return []
    }

    /// Required pod anti-affinity with topologyKey kubernetes.io/hostname.
    static let podAntiAffinity: Filter = { pod, placed, node, _ in
        let terms = pod[path: ["spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]]?.array ?? []
        for term in terms where (term["topologyKey"]?.string ?? "") == "kubernetes.io/hostname" {
            let namespaces = (term["namespaces"]?.array ?? []).compactMap(\.string)
            for other in node.pods.values where other.key != placed.key {
                let nsOK = namespaces.isEmpty ? other.namespace == placed.namespace : namespaces.contains(other.namespace)
                if nsOK && SelectorMatch.labelSelector(term["labelSelector"], other.labels) {
                    return ["node(s) didn't match pod anti-affinity rules"]
                }
            }
        }
        return []
    }

    static func isReady(_ node: JSON) -> Bool {
        (node[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
    }

    static func tolerations(_ pod: JSON) -> [JSON] { pod[path: ["spec", "tolerations"]]?.array ?? [] }

    /// Upstream's ToleratesTaint: empty key with Exists matches all; empty effect matches all effects.
    static func tolerationMatches(_ t: JSON, key: String, value: String, effect: String) -> Bool {
        let tEffect = t["effect"]?.string ?? ""
        if !tEffect.isEmpty && tEffect != effect { return false }
        let tKey = t["key"]?.string ?? ""
        let op = t["operator"]?.string ?? "Equal"
        if tKey.isEmpty { return op == "Exists" }
        if tKey != key { return false }
        return op == "Exists" || (t["value"]?.string ?? "") == value
    }
}
