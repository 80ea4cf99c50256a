import EdgeAPI
import EdgeClient
import Logging
import Synchronization

/// Gives every Node a pod range of its own out of the cluster CIDR
/// (spec.podCIDR and spec.podCIDRs, a /24 by default), as upstream's node IPAM
/// range allocator: ranges Nodes already hold are taken first (so a restarted
/// server never hands one out twice), a deleted Node's range is released, and
/// when none is left the Node gets a CIDRNotAvailable event and waits, without
/// polling, until a deleted Node frees a range. With the range it
/// writes the cluster's network settings as annotations, which is how agents
/// learn them (see ClusterNetworkSettings).
public final class NodeIPAMController: Controller {
    public let name = "nodeipam"
    public var workers: Int { 1 }
    static let nodes = BuiltinResources.nodes

    public let settings: ClusterNetworkSettings
    let logger = Logger(label: "edgectl.nodeipam")

    struct State {
        var allocator: PodCIDRAllocator
        var loaded = false
        /// Node name -> the range this controller counts as that node's.
        var owners: [String: IPv4CIDR] = [:]
        /// Nodes told CIDRNotAvailable, looked at again when a range is released.
        var waiting: Set<String> = []
        var queue: WorkQueue?
    }
    let state: Mutex<State>

    public init(settings: ClusterNetworkSettings, nodeMaskLength: Int = 24) throws {
        self.settings = settings
        state = Mutex(State(allocator: try PodCIDRAllocator(clusterCIDR: settings.clusterCIDR, nodeMaskLength: nodeMaskLength)))
    }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.nodes).addHandler(.any { queue.add(Informer.key($0)) })
        state.withLock { $0.queue = queue }
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let informer = ctx.informers.informer(Self.nodes)
        loadOnce(informer.list())
        guard let node = informer.get(key) else {
            let (retry, queue) = state.withLock { s -> ([String], WorkQueue?) in
                s.waiting.remove(key)
                guard let cidr = s.owners.removeValue(forKey: key) else { return ([], nil) }
                s.allocator.release(cidr)
                return (Array(s.waiting), s.queue)
            }
            for name in retry { queue?.add(name) }
            return
        }
        var patch = JSONObject()
        let annotations = ClusterNetworkSettings.annotations(of: node)
        var wanted = JSONObject()
        for (k, v) in settings.annotations where annotations[k] != v { wanted[k] = .string(v) }
        if !wanted.isEmpty { patch["metadata"] = ["annotations": .object(wanted)] }

        if let existing = node[path: ["spec", "podCIDR"]]?.string, !existing.isEmpty {
            adopt(key, existing)
        } else {
            guard let cidr = assign(key) else {
                if state.withLock({ $0.waiting.insert(key).inserted }) {
                    await ctx.events.record(node, reason: "CIDRNotAvailable", message: "Node \(key) status is now: CIDRNotAvailable")
                    logger.warning("no pod range left in \(settings.clusterCIDR) for node \(key)")
                }
                if !patch.isEmpty { try await write(key, patch, ctx) }
                return
            }
            state.withLock { _ = $0.waiting.remove(key) }
            patch["spec"] = ["podCIDR": .string(cidr.description), "podCIDRs": [.string(cidr.description)]]
        }
        guard !patch.isEmpty else { return }
        try await write(key, patch, ctx)
    }

    func write(_ key: String, _ patch: JSONObject, _ ctx: ControllerContext) async throws {
        do {
            _ = try await ctx.client.mergePatch(Self.nodes, namespace: nil, name: key, .object(patch))
        } catch let e as APIError where e.code == 404 {
            // Deleted meanwhile: its delete event releases the range.
        } catch {
            logger.warning("failed to write the pod range of node \(key): \(error)")
            throw error
        }
    }

    /// Every range the Nodes hold, before the first allocation.
    func loadOnce(_ all: [JSON]) {
        let shared: [String] = state.withLock { s in
            guard !s.loaded else { return [] }
            s.loaded = true
            var shared: [String] = []
            for n in all {
                guard let name = n[path: ["metadata", "name"]]?.string, let text = n[path: ["spec", "podCIDR"]]?.string,
                      let cidr = IPv4CIDR(text) else { continue }
                if s.allocator.isTaken(cidr) { shared.append("\(name) (\(cidr))"); continue }
                if s.allocator.occupy(cidr) { s.owners[name] = cidr }
            }
            return shared
        }
        for n in shared { logger.warning("node \(n) holds a pod range another node holds too") }
    }

    /// A range the Node already has (set by an earlier run, or by hand) is counted as taken.
    func adopt(_ name: String, _ text: String) {
        let problem: String? = state.withLock { s in
            guard let cidr = IPv4CIDR(text) else { return "has an unparseable spec.podCIDR \(text)" }
            if s.owners[name] == cidr { return nil }
            if let other = s.owners.first(where: { $0.key != name && $0.value == cidr })?.key {
                return "has pod range \(cidr), which node \(other) holds too"
            }
            if let old = s.owners[name] { s.allocator.release(old) }
            guard s.allocator.occupy(cidr) else { return "has pod range \(cidr), which is not a /\(s.allocator.nodeMaskLength) of the cluster CIDR \(s.allocator.clusterCIDR)" }
            s.owners[name] = cidr
            return nil
        }
        if let problem { logger.warning("node \(name) \(problem)") }
    }

    /// The range reserved for the node: the one it was given before (a write that did not reach the cache yet) or a new one.
    func assign(_ name: String) -> IPv4CIDR? {
        state.withLock { s in
            if let cidr = s.owners[name] { return cidr }
            guard let cidr = s.allocator.allocate() else { return nil }
            s.owners[name] = cidr
            return cidr
        }
    }
}
