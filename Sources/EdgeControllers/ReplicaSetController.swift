import EdgeAPI
import EdgeClient

/// Keeps `spec.replicas` pods matching a ReplicaSet's selector running: creates
/// missing ones from the template in slow-start batches, deletes extras in
/// upstream's preference order, adopts matching orphans, and reports status.
/// The same controller, given `.replicationControllers`, manages core/v1
/// ReplicationControllers, as upstream's replication manager wraps its
/// ReplicaSet controller.
public struct ReplicaSetController: Controller {
    public let kind: ReplicatedKind
    public var name: String { kind.controllerName }
    public var workers: Int { 4 }
    static let pods = BuiltinResources.pods
    /// Most pods created or deleted in one reconcile (upstream's burstReplicas).
    let burst = 500
    let expectations = Expectations()

    public init(kind: ReplicatedKind = .replicaSets) {
        self.kind = kind
    }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        let rsInformer = ctx.informers.informer(kind.resource)
        rsInformer.addHandler(.any { queue.add(Informer.key($0)) })
        let podInformer = ctx.informers.informer(Self.pods)
        let exp = expectations
        let kind = self.kind
        podInformer.addHandler(Informer.Handler(
            added: { pod in
                for key in Self.owners(of: pod, rsInformer, kind) { exp.observedAdd(key); queue.add(key) }
            },
            updated: { old, new in
                let keys = Set(Self.owners(of: old, rsInformer, kind) + Self.owners(of: new, rsInformer, kind))
                // A pod marked for graceful deletion counts as deleted for expectations, as upstream.
                if !PodHelpers.isBeingDeleted(old) && PodHelpers.isBeingDeleted(new) {
                    for key in keys { exp.observedDelete(key, name: new[path: ["metadata", "name"]]?.string ?? "") }
                }
                for key in keys { queue.add(key) }
            },
            deleted: { pod in
                for key in Self.owners(of: pod, rsInformer, kind) {
                    exp.observedDelete(key, name: pod[path: ["metadata", "name"]]?.string ?? "")
                    queue.add(key)
                }
            }))
    }

    /// The keys a pod change matters to: its controller, or for an orphan every
    /// object of the kind whose selector matches it (it may be adopted).
    static func owners(of pod: JSON, _ rsInformer: Informer, _ kind: ReplicatedKind) -> [String] {
        let ns = pod[path: ["metadata", "namespace"]]?.string ?? ""
        if let ref = PodHelpers.controllerRef(pod) {
            guard ref["kind"]?.string == kind.resource.kind, ref["apiVersion"]?.string == kind.resource.apiVersion,
                  let n = ref["name"]?.string else { return [] }
            return [ns + "/" + n]
        }
        let labels = PodHelpers.labels(pod)
        return rsInformer.byIndex(.namespace, ns).filter { rs in
            guard let selector = kind.selector(rs) else { return false }
            return LabelSelectorMatcher.matches(selector, labels)
        }.map(Informer.key)
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let rs = ctx.informers.informer(kind.resource).get(key) else {
            expectations.forget(key)
            return
        }
        let (ns, name) = Informer.split(key)
        let uid = rs[path: ["metadata", "uid"]]?.string ?? ""
        // An object with no selector selects nothing (validation refuses one; a stored one is left alone).
        let selector = kind.selector(rs)
        let pods = ctx.informers.informer(Self.pods)
        var owned = pods.owned(by: uid, namespace: ns ?? "")
        for pod in pods.byIndex(.orphanNamespace, ns ?? "") {
            if let selector, LabelSelectorMatcher.matches(selector, PodHelpers.labels(pod)), !PodHelpers.isBeingDeleted(pod),
               !PodHelpers.isBeingDeleted(rs) {
                // Adopt an orphan that matches, as upstream's ControllerRefManager.
                if let adopted = try? await ctx.client.mergePatch(Self.pods, namespace: ns, name: pod[path: ["metadata", "name"]]?.string ?? "",
                                                                  ["metadata": ["ownerReferences": [PodHelpers.ownerReference(to: rs)],
                                                                                "uid": pod[path: ["metadata", "uid"]] ?? ""]]) {
                    owned.append(adopted)
                }
            }
        }
        let active = owned.filter(PodHelpers.isActive)
        if expectations.satisfied(key) && !PodHelpers.isBeingDeleted(rs) {
            try await manageReplicas(rs, key: key, ns: ns ?? "", name: name, active: active, ctx)
        }
        let status = Self.status(rs, pods: owned, now: ctx.clock.now())
        if status != rs["status"] {
            var updated = rs
            updated["status"] = status
            _ = try await ctx.client.updateStatus(kind.resource, updated)
        }
        // Pods become available minReadySeconds after ready: look again then.
        let minReady = rs[path: ["spec", "minReadySeconds"]]?.int ?? 0
        if minReady > 0 && (status["readyReplicas"]?.int ?? 0) > (status["availableReplicas"]?.int ?? 0) {
            throw RequeueAfter(.seconds(clamping: max(1, minReady)))
        }
    }

    /// The pods of every ReplicaSet sharing this one's controller (a Deployment's
    /// old and new ones), as upstream's getIndirectlyRelatedPods: ranking by them
    /// keeps a rollout's pods spread over the nodes.
    func relatedPods(_ rs: JSON, ns: String, active: [JSON], _ ctx: ControllerContext) -> [JSON] {
        guard let owner = PodHelpers.controllerRef(rs)?["uid"]?.string, !owner.isEmpty else { return active }
        let pods = ctx.informers.informer(Self.pods)
        let siblings = ctx.informers.informer(kind.resource).owned(by: owner, namespace: ns)
        return siblings.flatMap { pods.owned(by: $0[path: ["metadata", "uid"]]?.string ?? "", namespace: ns) }
    }

    func manageReplicas(_ rs: JSON, key: String, ns: String, name: String, active: [JSON], _ ctx: ControllerContext) async throws {
        let want = max(0, rs[path: ["spec", "replicas"]]?.clampedInt ?? 1)
        let diff = active.count - want
        if diff < 0 {
            let toCreate = min(-diff, burst)
            expectations.expect(key, adds: toCreate)
            let template = rs[path: ["spec", "template"]]
            let created = try await SlowStart.run(total: toCreate) {
                let pod = PodHelpers.pod(from: template, owner: rs, generateName: name + "-", namespace: ns)
                let p = try await ctx.client.create(Self.pods, namespace: ns, pod)
                await ctx.events.record(rs, reason: "SuccessfulCreate", message: "Created pod: \(p[path: ["metadata", "name"]]?.string ?? "")")
            }
            if created < toCreate {
                expectations.lowerAdds(key, by: toCreate - created)
                throw ControllerError.partial("created \(created) of \(toCreate) pods for ReplicaSet \(key)")
            }
        } else if diff > 0 {
            let order = PodDeletionOrder(now: ctx.clock.now(), related: relatedPods(rs, ns: ns, active: active, ctx))
            let victims = Array(order.sorted(active).prefix(min(diff, burst)))
            let names = victims.compactMap { $0[path: ["metadata", "name"]]?.string }
            expectations.expect(key, deletes: names)
            for n in names {
                do {
                    try await ctx.client.delete(Self.pods, namespace: ns, name: n)
                    await ctx.events.record(rs, reason: "SuccessfulDelete", message: "Deleted pod: \(n)")
                } catch let e as APIError where e.code == 404 {
                    expectations.observedDelete(key, name: n)
                }
            }
        }
    }

    /// ReplicaSet status from its pods: a pure function of its inputs.
    static func status(_ rs: JSON, pods: [JSON], now: Timestamp) -> JSON {
        let active = pods.filter(PodHelpers.isActive)
        let templateLabels = rs[path: ["spec", "template", "metadata", "labels"]]?.object ?? JSONObject()
        let minReady = rs[path: ["spec", "minReadySeconds"]]?.int ?? 0
        let fullyLabeled = active.filter { p in templateLabels.allSatisfy { PodHelpers.labels(p)[$0.key] == $0.value } }.count
        let ready = active.filter(PodHelpers.isReady).count
        let available = active.filter { PodHelpers.isAvailable($0, minReadySeconds: minReady, now: now) }.count
        var s: JSON = ["replicas": .int(Int64(active.count))]
        if fullyLabeled > 0 { s["fullyLabeledReplicas"] = .int(Int64(fullyLabeled)) }
        if ready > 0 { s["readyReplicas"] = .int(Int64(ready)) }
        if available > 0 { s["availableReplicas"] = .int(Int64(available)) }
        s["observedGeneration"] = rs[path: ["metadata", "generation"]] ?? 0
        if let conds = rs[path: ["status", "conditions"]] { s["conditions"] = conds }
        return s
    }
}

public enum ControllerError: Error, Sendable {
    case partial(String)
}
