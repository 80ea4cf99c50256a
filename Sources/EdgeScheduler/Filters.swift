import EdgeAPI

/// The filter plugins: each says why a node cannot take a pod (upstream's
/// reason texts, which `kubectl describe pod` shows), or nil when it can.
public enum Filters {
    public typealias Filter = @Sendable (_ pod: JSON, _ placed: PlacedPod, _ node: NodeInfo, _ all: [String: NodeInfo]) -> [String]

    public static let all: [Filter] = [unschedulable, taints, nodeAffinity, imagePlatform, resources, hostPorts, podAntiAffinity]

    static let unschedulable: Filter = { _, placed, node, _ in
        guard node.unschedulable else { return [] }
        let tolerates = placed.tolerations.contains {
            NodeMatching.tolerates($0, .init(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule"))
        }
        return tolerates ? [] : ["node(s) were unschedulable"]
    }

    /// NoSchedule and NoExecute taints need a toleration; a node that is not
    /// Ready is treated as carrying the not-ready taint even before the node
    /// controller adds it, so no pod lands on a node that cannot run it.
    static let taints: Filter = { _, placed, node, _ in
        if node.effectiveTaints.isEmpty { return [] }
        if let t = NodeMatching.untoleratedTaint(placed.tolerations, node.effectiveTaints) {
            return ["node(s) had untolerated taint {\(t.key): \(t.value)}"]
        }
        return []
    }

    static let nodeAffinity: Filter = { pod, placed, node, _ in
        !placed.hasNodeConstraints || NodeMatching.selects(podSpec: pod["spec"], node: node.node) ? [] : ["node(s) didn't match Pod's node affinity/selector"]
    }

    /// An image known to offer no variant the node's platform runs keeps the pod off it
    /// (upstream places it anyway, to fail with ErrImagePull or "exec format error").
    /// Nodes without an arch label and images nobody reported yet hold nothing back.
    static let imagePlatform: Filter = { _, placed, node, _ in
        guard let platform = node.platform else { return [] }
        for (image, offered) in placed.imagePlatforms where !offered.contains(where: { platform.matchScore($0) != nil }) {
            let list = offered.map(\.description).joined(separator: ", ")
            return ["node(s) had no image for \(platform) (\(image) offers \(list))"]
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
    static let podAntiAffinity: Filter = { _, placed, node, _ in
        for term in placed.antiAffinityTerms {
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
}
