import EdgeAPI
import EdgeClient

/// Upstream's pod GC for orphans: a pod bound to a node that no longer exists
/// can never be stopped by anyone, so it is force-deleted (grace 0). This is
/// what lets a namespace or a foreground delete finish after a dead node is
/// removed with `kubectl delete node`. As upstream, the node must stay missing
/// for a quarantine period (40 s) first, so a pod pinned to a node that is
/// only now registering is not lost.
public struct PodGarbageCollector: Controller {
    public let name = "podgc"
    static let pods = BuiltinResources.pods
    static let nodes = BuiltinResources.nodes
    let quarantineSeconds: Int64
    let firstMissing = MissingSince()

    public init(quarantineSeconds: Int64 = 40) { self.quarantineSeconds = quarantineSeconds }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        let pods = ctx.informers.informer(Self.pods)
        pods.addHandler(Informer.Handler(added: { queue.add(Informer.key($0)) }, updated: { _, p in queue.add(Informer.key(p)) }, deleted: { _ in }))
        ctx.informers.informer(Self.nodes).addHandler(Informer.Handler(added: { _ in }, updated: { _, _ in }, deleted: { n in
            guard let node = n[path: ["metadata", "name"]]?.string else { return }
            for p in pods.byIndex(.nodeName, node) { queue.add(Informer.key(p)) }
        }))
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let pod = ctx.informers.informer(Self.pods).get(key), let node = pod[path: ["spec", "nodeName"]]?.string, !node.isEmpty,
              ctx.informers.informer(Self.nodes).get(node) == nil else { firstMissing.clear(key); return }
        let waited = firstMissing.seconds(key, now: ctx.clock.now().seconds)
        if waited < quarantineSeconds { throw RequeueAfter(.seconds(quarantineSeconds - waited)) }
        // The cache may lag a node that just registered: ask the API before deleting anything.
        guard try await ctx.client.getIfExists(Self.nodes, namespace: nil, name: node) == nil else { firstMissing.clear(key); return }
        firstMissing.clear(key)
        let (ns, name) = Informer.split(key)
        do {
            _ = try await ctx.client.delete(Self.pods, namespace: ns, name: name, gracePeriodSeconds: 0,
                                            preconditionUID: pod[path: ["metadata", "uid"]]?.string)
        } catch let e as APIError where e.code == 404 || e.code == 409 {}
    }
}
