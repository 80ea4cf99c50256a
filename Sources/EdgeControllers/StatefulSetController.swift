import EdgeAPI
import EdgeClient

/// StatefulSets: pods with stable names `<set>-<ordinal>`, hostname and
/// subdomain. OrderedReady (default) starts ordinal i only once 0..i-1 are
/// Running and Ready and removes from the highest ordinal one at a time;
/// Parallel does both at once. RollingUpdate replaces pods from the highest
/// ordinal down to the partition, one at a time, each after the previous
/// replacement is Ready; OnDelete replaces only pods the user deletes.
/// The decisions live in StatefulSetControllerPlan.swift; this file reads the
/// caches and carries them out.
///
/// Not done yet, for want of API resources: volumeClaimTemplates (no
/// persistentvolumeclaims) and ControllerRevisions (no controllerrevisions), so a
/// pod below the partition that is deleted comes back with the newest template,
/// not its old one, and collisionCount stays 0.
public struct StatefulSetController: Controller {
    public let name = "statefulset"
    static let sets = BuiltinResources.statefulSets
    static let pods = BuiltinResources.pods
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    static let podIndexLabel = "apps.kubernetes.io/pod-index"
    static let revisionLabel = "controller-revision-hash"
    /// Creates and deletes not yet seen in the pod cache: without them a reconcile
    /// running on a stale cache would create the same ordinal twice or delete twice.
    let expectations = Expectations()

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.sets).addHandler(.any { queue.add(Informer.key($0)) })
        let exp = expectations
        ctx.informers.informer(Self.pods).addHandler(Informer.Handler(
            added: { p in
                guard let key = Self.setKey(p) else { return }
                exp.observedAdd(key)
                queue.add(key)
            },
            updated: { old, new in
                guard let key = Self.setKey(new) ?? Self.setKey(old) else { return }
                // Graceful deletion shows as deletionTimestamp appearing: the delete we asked for happened.
                if !PodHelpers.isBeingDeleted(old) && PodHelpers.isBeingDeleted(new) {
                    exp.observedDelete(key, name: new[path: ["metadata", "name"]]?.string ?? "")
                }
                queue.add(key)
            },
            deleted: { p in
                guard let key = Self.setKey(p) else { return }
                exp.observedDelete(key, name: p[path: ["metadata", "name"]]?.string ?? "")
                queue.add(key)
            }))
    }

    /// The key of the StatefulSet controlling a pod, if one does.
    static func setKey(_ pod: JSON) -> String? {
        guard let ref = PodHelpers.controllerRef(pod), ref["kind"]?.string == "StatefulSet", let n = ref["name"]?.string else { return nil }
        return (pod[path: ["metadata", "namespace"]]?.string ?? "") + "/" + n
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let set = ctx.informers.informer(Self.sets).get(key) else {
            expectations.forget(key)
            return
        }
        let ns = Informer.split(key).0 ?? ""
        let spec = Spec(set)
        let uid = set[path: ["metadata", "uid"]]?.string
        var byOrdinal: [Int: JSON] = [:]
        for p in ctx.informers.informer(Self.pods).owned(by: uid ?? "", namespace: ns) {
            if let i = Self.ordinal(p, set: spec.name) { byOrdinal[i] = p }
        }
        let now = ctx.clock.now()
        // A set being deleted only reports status; the garbage collector removes its pods.
        if expectations.satisfied(key) && !PodHelpers.isBeingDeleted(set) {
            try await execute(Self.plan(spec, pods: byOrdinal, now: now), set: set, spec: spec, key: key, ns: ns, ctx)
        }
        // Status from the same snapshot; the events our writes cause bring a fresh one.
        let status = Self.status(set, spec: spec, pods: byOrdinal.keys.sorted().map { byOrdinal[$0]! }, now: now)
        if status != set["status"] {
            var updated = set
            updated["status"] = status
            _ = try await ctx.client.updateStatus(Self.sets, updated)
        }
        // Pods become available minReadySeconds after ready, with no event to say so: look again then.
        if spec.minReadySeconds > 0 && (status["readyReplicas"]?.int ?? 0) > (status["availableReplicas"]?.int ?? 0) {
            throw RequeueAfter(.seconds(clamping: max(1, spec.minReadySeconds)))
        }
    }

    /// Carries out a plan. On the first failure the expectations are dropped (the
    /// rest of the plan will not happen) and the error requeues the key with backoff.
    func execute(_ plan: Plan, set: JSON, spec: Spec, key: String, ns: String, _ ctx: ControllerContext) async throws {
        guard plan != Plan() else { return }
        expectations.expect(key, adds: plan.creates.count, deletes: plan.deletes.compactMap { $0[path: ["metadata", "name"]]?.string })
        do {
            for p in plan.deletes { try await delete(p, set: set, spec: spec, ns: ns, ctx) }
            for i in plan.creates { try await create(i, set: set, spec: spec, ns: ns, ctx) }
        } catch {
            expectations.forget(key)
            throw error
        }
    }

    func create(_ ordinal: Int, set: JSON, spec: Spec, ns: String, _ ctx: ControllerContext) async throws {
        let podName = "\(spec.name)-\(ordinal)"
        do {
            _ = try await ctx.client.create(Self.pods, namespace: ns, Self.newPod(set, spec: spec, ordinal: ordinal))
            await ctx.events.record(set, reason: "SuccessfulCreate", message: "create Pod \(podName) in StatefulSet \(spec.name) successful")
        } catch let e as APIError where e.code == 409 {
            // The previous pod of that name is still going away (its removal requeues
            // us), or someone else's pod holds the name: retry with backoff, quietly.
            throw e
        } catch {
            await ctx.events.record(set, type: "Warning", reason: "FailedCreate",
                                    message: "create Pod \(podName) in StatefulSet \(spec.name) failed error: \(Self.describe(error))")
            throw error
        }
    }

    func delete(_ pod: JSON, set: JSON, spec: Spec, ns: String, _ ctx: ControllerContext) async throws {
        let podName = pod[path: ["metadata", "name"]]?.string ?? ""
        do {
            // The uid precondition keeps a stale decision from deleting a newer pod of the same name.
            _ = try await ctx.client.delete(Self.pods, namespace: ns, name: podName, preconditionUID: pod[path: ["metadata", "uid"]]?.string)
            await ctx.events.record(set, reason: "SuccessfulDelete", message: "delete Pod \(podName) in StatefulSet \(spec.name) successful")
        } catch let e as APIError where e.code == 404 || e.code == 409 {
            // Already gone, or already replaced: nothing of ours is left to delete.
            expectations.observedDelete(Informer.key(set), name: podName)
        } catch {
            await ctx.events.record(set, type: "Warning", reason: "FailedDelete",
                                    message: "delete Pod \(podName) in StatefulSet \(spec.name) failed error: \(Self.describe(error))")
            throw error
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? APIError)?.message ?? String(describing: error)
    }
}
