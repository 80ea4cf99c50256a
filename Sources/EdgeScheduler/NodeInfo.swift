import EdgeAPI

/// What the scheduler knows about one node: the node object, what it can
/// hold, and the pods already placed there (bound or assumed).
public struct NodeInfo: Sendable {
    public var node: JSON
    public var name: String
    public var allocatable: ResourceVector
    public var requested = ResourceVector()
    public var pods: [String: PlacedPod] = [:]
    /// Read once per node update rather than once per pod and node: the
    /// filters run these for every node on every scheduling attempt.
    public let labels: JSONObject
    public let unschedulable: Bool
    /// The node's taints, plus not-ready when it is not Ready and carries no node.kubernetes.io taint yet.
    public let effectiveTaints: [NodeMatching.Taint]
    /// Placed pods per controlling owner uid (for spreading).
    var ownerCounts: [String: Int] = [:]
    /// os/arch/variant from the node's labels; nil when it has no kubernetes.io/arch label.
    public let platform: ImagePlatform?
    /// The images the node holds and what they offer (its image-platforms annotation).
    public let imagePlatforms: [String: [ImagePlatform]]

    public init(node: JSON) {
        self.node = node
        self.name = node[path: ["metadata", "name"]]?.string ?? ""
        self.allocatable = ResourceVector(list: node[path: ["status", "allocatable"]]?.object ?? node[path: ["status", "capacity"]]?.object)
        self.labels = node[path: ["metadata", "labels"]]?.object ?? JSONObject()
        self.unschedulable = node[path: ["spec", "unschedulable"]]?.bool == true
        var taints = NodeMatching.taints(node)
        // A node that is not Ready cannot run pods even before the node controller taints it.
        if !NodeMatching.isReady(node), !taints.contains(where: { $0.key.hasPrefix("node.kubernetes.io/") }) {
            taints.append(.init(key: "node.kubernetes.io/not-ready", effect: "NoSchedule"))
        }
        self.effectiveTaints = taints
        self.platform = ImagePlatform.ofNode(labels: labels)
        self.imagePlatforms = NodeImagePlatforms.decode(node[path: ["metadata", "annotations", NodeImagePlatforms.annotation]]?.string)
    }

    /// The same node with a newer object, keeping what is placed on it.
    func replacingNode(_ n: JSON) -> NodeInfo {
        var info = NodeInfo(node: n)
        info.pods = pods
        info.requested = requested
        info.ownerCounts = ownerCounts
        return info
    }

    mutating func add(_ p: PlacedPod) {
        remove(p.key)
        pods[p.key] = p
        requested = requested + p.requests
        if let o = p.ownerUID { ownerCounts[o, default: 0] += 1 }
    }

    mutating func remove(_ key: String) {
        guard let old = pods.removeValue(forKey: key) else { return }
        requested = requested - old.requests
        if let o = old.ownerUID { ownerCounts[o, default: 1] -= 1; if ownerCounts[o] == 0 { ownerCounts[o] = nil } }
    }
}

/// The parts of a placed pod that filters and scores look at.
public struct PlacedPod: Sendable {
    public var key: String
    public var namespace: String
    public var labels: JSONObject
    public var requests: ResourceVector
    public var hostPorts: [HostPort]
    public var ownerUID: String?
    /// Pod-side facts every filter would otherwise re-read from the pod for each node.
    public var tolerations: [JSON]
    public var hasNodeConstraints: Bool
    public var preferredTerms: [JSON]
    public var hostnameSpread: [JSON]
    public var antiAffinityTerms: [JSON]
    /// The pod's images (init and app containers), normalized, with the platforms each is
    /// known to offer; images nobody reported yet are absent, so they hold nothing back.
    /// Filled by the scheduler from its ImagePlatformIndex before filtering.
    public var imagePlatforms: [(image: String, offered: [ImagePlatform])] = []

    public struct HostPort: Sendable, Hashable {
        public var port: Int64
        public var proto: String
        public var ip: String
    }

    public init(pod: JSON) {
        key = Self.key(pod)
        namespace = pod[path: ["metadata", "namespace"]]?.string ?? ""
        labels = pod[path: ["metadata", "labels"]]?.object ?? JSONObject()
        requests = ResourceVector.requests(of: pod)
        hostPorts = Self.hostPorts(pod)
        ownerUID = (pod[path: ["metadata", "ownerReferences"]]?.array ?? []).first { $0["controller"]?.bool == true }?["uid"]?.string
        tolerations = pod[path: ["spec", "tolerations"]]?.array ?? []
        hasNodeConstraints = !(pod[path: ["spec", "nodeSelector"]]?.object?.isEmpty ?? true)
            || pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]] != nil
        preferredTerms = pod[path: ["spec", "affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution"]]?.array ?? []
        hostnameSpread = (pod[path: ["spec", "topologySpreadConstraints"]]?.array ?? []).filter { $0["topologyKey"]?.string == "kubernetes.io/hostname" }
        antiAffinityTerms = (pod[path: ["spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]]?.array ?? [])
            .filter { ($0["topologyKey"]?.string ?? "") == "kubernetes.io/hostname" }
    }

    static func key(_ pod: JSON) -> String {
        (pod[path: ["metadata", "namespace"]]?.string ?? "") + "/" + (pod[path: ["metadata", "name"]]?.string ?? "")
    }

    /// The images of the pod's init and app containers, in order, without repeats.
    static func images(_ pod: JSON) -> [String] {
        var out: [String] = []
        for c in (pod[path: ["spec", "initContainers"]]?.array ?? []) + (pod[path: ["spec", "containers"]]?.array ?? []) {
            if let image = c["image"]?.string, !image.isEmpty, !out.contains(image) { out.append(image) }
        }
        return out
    }

    static func hostPorts(_ pod: JSON) -> [HostPort] {
        var out: [HostPort] = []
        for c in (pod[path: ["spec", "containers"]]?.array ?? []) + (pod[path: ["spec", "initContainers"]]?.array ?? []) {
            for p in c["ports"]?.array ?? [] {
                guard let hp = p["hostPort"]?.int, hp > 0 else { continue }
                out.append(HostPort(port: hp, proto: p["protocol"]?.string ?? "TCP", ip: p["hostIP"]?.string ?? "0.0.0.0"))
            }
        }
        return out
    }
}
