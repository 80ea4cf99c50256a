import EdgeAPI

/// What the scheduler knows about one node: the node object, what it can
/// hold, and the pods already placed there (bound or assumed).
public struct NodeInfo: Sendable {
    public var node: JSON
    public var name: String
    public var allocatable: ResourceVector
    public var requested = ResourceVector()
    public var pods: [String: PlacedPod] = [:]

    public init(node: JSON) {
        self.node = node
        self.name = node[path: ["metadata", "name"]]?.string ?? ""
        self.allocatable = ResourceVector(list: node[path: ["status", "allocatable"]]?.object ?? node[path: ["status", "capacity"]]?.object)
    }

    public var labels: JSONObject { node[path: ["metadata", "labels"]]?.object ?? JSONObject() }

    mutating func add(_ p: PlacedPod) {
        if let old = pods[p.key] { requested = requested - old.requests }
        pods[p.key] = p
        requested = requested + p.requests
    }

    mutating func remove(_ key: String) {
        if let old = pods.removeValue(forKey: key) { requested = requested - old.requests }
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
    }

    static func key(_ pod: JSON) -> String {
        (pod[path: ["metadata", "namespace"]]?.string ?? "") + "/" + (pod[path: ["metadata", "name"]]?.string ?? "")
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
