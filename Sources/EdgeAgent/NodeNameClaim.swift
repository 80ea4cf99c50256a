import EdgeAPI
import EdgeClient

/// Whether this machine may use a node name: kubeadm join's "a Node with that name already exists
/// and is Ready" check, made with the machine's identity (/etc/machine-id, as the Node reports it
/// in nodeInfo.machineID). Two boards flashed from one image keep the same hostname; the second
/// must not take over the first one's Node.
public struct NodeNameClaim: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// No such Node, or it is this machine's.
        case free
        /// The Node belongs to another machine that stopped reporting; this one takes it over.
        case takeover(String)
        /// Another machine reports as this Node now.
        case taken(String)
    }

    static let nodes = ResourceRegistry.lookup(group: "", version: "v1", plural: "nodes")!
    static let leases = ResourceRegistry.lookup(group: "coordination.k8s.io", version: "v1", plural: "leases")!
    /// A lease renewed within this is a live node (upstream's node-monitor-grace-period is 40-50 s).
    public static let liveSeconds: Int64 = 60

    let client: APIClient

    public init(client: APIClient) { self.client = client }

    public func check(nodeName: String, machineID: String, now: Timestamp = .now()) async throws -> Outcome {
        guard let node = try await client.getIfExists(Self.nodes, namespace: nil, name: nodeName) else { return .free }
        let theirs = node[path: ["status", "nodeInfo", "machineID"]]?.string ?? ""
        guard !theirs.isEmpty, !machineID.isEmpty, theirs != machineID else { return .free }
        let lease = try? await client.getIfExists(Self.leases, namespace: "kube-node-lease", name: nodeName)
        let renewed = lease?[path: ["spec", "renewTime"]]?.string.flatMap(Timestamp.init(rfc3339:))
        let age = renewed.map { now.seconds - $0.seconds }
        if let age, age < Self.liveSeconds {
            return .taken("a Node named \(nodeName) already exists and another machine (machine-id \(theirs.prefix(12))...) renewed its lease \(max(0, age))s ago: "
                + "give this machine another name (--node-name, or its hostname; flash --hostname), or if that machine is gone, delete its Node first (kubectl delete node \(nodeName))")
        }
        return .takeover("the Node \(nodeName) was last reported by another machine (machine-id \(theirs.prefix(12))...)\(age.map { " \($0)s ago" } ?? ""); this machine takes it over")
    }
}
