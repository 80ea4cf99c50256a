import EdgeAPI
import EdgeClient

/// Watches node heartbeats (Leases in kube-node-lease): a node silent for the
/// grace period gets Ready=Unknown and the unreachable NoExecute taint; a node
/// reporting Ready=False gets the not-ready taint; pods that do not tolerate a
/// NoExecute taint are evicted, at once or after their tolerationSeconds, so
/// their controllers replace them elsewhere. Pressure and board-health conditions
/// bring NoSchedule taints (ConditionTaints) while they are True.
public struct NodeLifecycleController: Controller {
    public let name = "nodelifecycle"
    static let nodes = BuiltinResources.nodes
    static let leases = BuiltinResources.leases
    static let pods = BuiltinResources.pods
    static let unreachable = "node.kubernetes.io/unreachable"
    static let notReady = "node.kubernetes.io/not-ready"

    let gracePeriod: Int64

    public init(gracePeriodSeconds: Int64 = 50) { self.gracePeriod = gracePeriodSeconds }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.nodes).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(Self.leases).addHandler(.any { lease in
            if lease[path: ["metadata", "namespace"]]?.string == "kube-node-lease" { queue.add(lease[path: ["metadata", "name"]]?.string ?? "") }
        })
        // A pod bound to a tainted node must be checked against the taints.
        ctx.informers.informer(Self.pods).addHandler(Informer.Handler(added: { p in
            if let n = p[path: ["spec", "nodeName"]]?.string, !n.isEmpty { queue.add(n) }
        }, updated: { _, _ in }, deleted: { _ in }))
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard var node = ctx.informers.informer(Self.nodes).get(key) else { return }
        let now = ctx.clock.now()
        let lease = ctx.informers.informer(Self.leases).get("kube-node-lease/\(key)")
        let ready = (node[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "Ready" }
        let heartbeat = [lease?[path: ["spec", "renewTime"]]?.string, ready?["lastHeartbeatTime"]?.string,
                         node[path: ["metadata", "creationTimestamp"]]?.string]
            .compactMap { $0.flatMap(Timestamp.init(rfc3339:)) }.max() ?? now
        let silent = now.seconds - heartbeat.seconds >= gracePeriod

        if silent && ready?["status"]?.string != "Unknown" {
            node = try await markUnknown(node, now: now, ctx)
            await ctx.events.record(node, reason: "NodeNotReady", message: "Node \(key) status is now: NodeNotReady")
        }
        let status = (node[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "Ready" }?["status"]?.string
        let wanted: String? = status == "Unknown" ? Self.unreachable : (status == "False" ? Self.notReady : nil)
        node = try await syncTaints(node, wanted: wanted, now: now, ctx)
        let nextEviction = try await evict(node, now: now, ctx)
        // Look again when the heartbeat would go stale, or when a toleration runs out.
        var wait = silent ? Int64(30) : max(1, gracePeriod - (now.seconds - heartbeat.seconds))
        if let e = nextEviction { wait = min(wait, max(1, e)) }
        throw RequeueAfter(.seconds(wait))
    }

    func markUnknown(_ node: JSON, now: Timestamp, _ ctx: ControllerContext) async throws -> JSON {
        var n = node
        let stamp = JSON.string(now.rfc3339)
        let conditions = (node[path: ["status", "conditions"]]?.array ?? []).map { c -> JSON in
            guard ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"].contains(c["type"]?.string ?? "") else { return c }
            var u = c
            u["status"] = "Unknown"
            u["reason"] = "NodeStatusUnknown"
            u["message"] = "Kubelet stopped posting node status."
            u["lastTransitionTime"] = stamp
            return u
        }
        n[path: ["status", "conditions"]] = .array(conditions)
        return try await ctx.client.updateStatus(Self.nodes, n)
    }

    func syncTaints(_ node: JSON, wanted: String?, now: Timestamp, _ ctx: ControllerContext) async throws -> JSON {
        let taints = node[path: ["spec", "taints"]]?.array ?? []
        let byCondition = ConditionTaints.wanted(node)
        var kept = taints.filter { t in
            let k = t["key"]?.string ?? ""
            if t["effect"]?.string == "NoSchedule" && ConditionTaints.managed.contains(k) { return byCondition.contains(k) }
            return !((k == Self.unreachable || k == Self.notReady) && t["effect"]?.string == "NoExecute" && k != wanted)
        }
        if let wanted, !kept.contains(where: { $0["key"]?.string == wanted && $0["effect"]?.string == "NoExecute" }) {
            kept.append(NodeMatching.Taint(key: wanted, effect: "NoExecute", timeAdded: now.rfc3339).json)
        }
        for key in byCondition.sorted() where !kept.contains(where: { $0["key"]?.string == key && $0["effect"]?.string == "NoSchedule" }) {
            kept.append(NodeMatching.Taint(key: key, effect: "NoSchedule", timeAdded: now.rfc3339).json)
        }
        guard kept != taints else { return node }
        var n = node
        n[path: ["spec", "taints"]] = kept.isEmpty ? nil : .array(kept)
        return try await ctx.client.update(Self.nodes, n)
    }

    /// Deletes pods that do not tolerate the node's NoExecute taints; returns
    /// seconds until the next toleration runs out, if any.
    func evict(_ node: JSON, now: Timestamp, _ ctx: ControllerContext) async throws -> Int64? {
        let taints = NodeMatching.taints(node).filter { $0.effect == "NoExecute" }
        guard !taints.isEmpty else { return nil }
        let name = node[path: ["metadata", "name"]]?.string ?? ""
        var next: Int64?
        for pod in ctx.informers.informer(Self.pods).byIndex(.nodeName, name) where PodHelpers.isActive(pod) {
            let tolerations = pod[path: ["spec", "tolerations"]]?.array ?? []
            var evictIn: Int64? = nil
            var keep = true
            for taint in taints {
                guard let t = tolerations.first(where: { NodeMatching.tolerates($0, taint) }) else { keep = false; evictIn = 0; break }
                if let secs = t["tolerationSeconds"]?.int {
                    let added = taint.timeAdded.flatMap(Timestamp.init(rfc3339:)) ?? now
                    let left = added.seconds.saturatingAdding(secs).saturatingSubtracting(now.seconds)
                    evictIn = min(evictIn ?? left, left)
                    keep = false
                }
            }
            if keep { continue }
            let left = evictIn ?? 0
            if left > 0 { next = min(next ?? left, left); continue }
            let ns = pod[path: ["metadata", "namespace"]]?.string
            let podName = pod[path: ["metadata", "name"]]?.string ?? ""
            do {
                try await ctx.client.delete(Self.pods, namespace: ns, name: podName)
                await ctx.events.record(pod, reason: "TaintManagerEviction", message: "Marking for deletion Pod \(ns ?? "")/\(podName)")
            } catch let e as APIError where e.code == 404 {}
        }
        return next
    }
}
