import EdgeAPI
import EdgeClient

/// Rolls Deployments out through ReplicaSets: one ReplicaSet per pod template
/// (named by the template's hash), scaled up and down within maxSurge and
/// maxUnavailable (or all-old-then-new for Recreate), with revision
/// annotations that `kubectl rollout history/undo` read, pause, progress
/// deadline, history pruning and the status `kubectl rollout status` waits on.
public struct DeploymentController: Controller {
    public let name = "deployment"
    static let deployments = BuiltinResources.deployments
    static let replicaSets = BuiltinResources.replicaSets
    static let pods = BuiltinResources.pods
    static let revisionKey = "deployment.kubernetes.io/revision"

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        let dInformer = ctx.informers.informer(Self.deployments)
        dInformer.addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(Self.replicaSets).addHandler(.any { rs in
            let ns = rs[path: ["metadata", "namespace"]]?.string ?? ""
            if let ref = PodHelpers.controllerRef(rs) {
                if ref["kind"]?.string == "Deployment", let n = ref["name"]?.string { queue.add(ns + "/" + n) }
                return
            }
            for d in dInformer.byIndex(.namespace, ns) where LabelSelectorMatcher.matches(d[path: ["spec", "selector"]], PodHelpers.labels(rs)) {
                queue.add(Informer.key(d))
            }
        })
        // Recreate waits for old pods to be gone: pod deletions wake it.
        ctx.informers.informer(Self.pods).addHandler(Informer.Handler(added: { _ in }, updated: { _, _ in }, deleted: { pod in
            let ns = pod[path: ["metadata", "namespace"]]?.string ?? ""
            for d in dInformer.byIndex(.namespace, ns) where d[path: ["spec", "strategy", "type"]]?.string == "Recreate" {
                queue.add(Informer.key(d))
            }
        }))
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let d = ctx.informers.informer(Self.deployments).get(key), !PodHelpers.isBeingDeleted(d) else { return }
        let (nsOpt, _) = Informer.split(key)
        let ns = nsOpt ?? ""
        var sets = try await ownedReplicaSets(d, ns: ns, ctx)
        let paused = d[path: ["spec", "paused"]]?.bool == true
        let template = d[path: ["spec", "template"]]
        var newRS = sets.first { DeploymentMath.withoutHashLabel($0[path: ["spec", "template"]]) == DeploymentMath.withoutHashLabel(template) }
        let maxRevision = sets.compactMap { Self.revision($0) }.max() ?? 0

        if newRS == nil && !paused {
            newRS = try await createReplicaSet(d, ns: ns, revision: maxRevision + 1, ctx)
            sets.append(newRS!)
        } else if let rs = newRS, Self.revision(rs) ?? 0 < maxRevision, !paused {
            // An old template came back (rollout undo): it becomes the newest revision.
            newRS = try await ctx.client.mergePatch(Self.replicaSets, namespace: ns, name: Self.name(rs),
                                                    ["metadata": ["annotations": [.init(stringLiteral: Self.revisionKey): .string(String(maxRevision + 1))]]])
            sets = sets.map { Self.name($0) == Self.name(newRS!) ? newRS! : $0 }
        }
        let olds = sets.filter { Self.name($0) != newRS.map(Self.name) }
        let replicas = max(0, d[path: ["spec", "replicas"]]?.clampedInt ?? 1)

        if paused || newRS == nil {
            // Paused: only follow scaling, on the newest ReplicaSet.
            if let rs = newRS ?? sets.max(by: { (Self.revision($0) ?? 0) < (Self.revision($1) ?? 0) }),
               sets.allSatisfy({ Self.name($0) == Self.name(rs) || Self.specReplicas($0) == 0 }) {
                try await scale(rs, to: replicas, d, ctx)
            }
        } else if d[path: ["spec", "strategy", "type"]]?.string == "Recreate" {
            try await recreate(d, newRS: newRS!, olds: olds, replicas: replicas, ns: ns, ctx)
        } else {
            try await rollingUpdate(d, newRS: newRS!, olds: olds, replicas: replicas, ctx)
        }
        try await pruneHistory(d, olds: olds, ctx)
        // The deployment carries its current revision too (kubectl rollout undo rewrites its annotations without it).
        if let rs = newRS, let rev = Self.revision(rs), d[path: ["metadata", "annotations", Self.revisionKey]]?.string != String(rev) {
            _ = try await ctx.client.mergePatch(Self.deployments, namespace: ns, name: Self.name(d),
                                                ["metadata": ["annotations": [.init(stringLiteral: Self.revisionKey): .string(String(rev))]]])
        }
        let fresh = try await ownedReplicaSets(d, ns: ns, ctx)
        try await updateStatus(d, sets: fresh, newRSName: newRS.map(Self.name), paused: paused, ctx)
    }

    // MARK: replica sets

    static func name(_ o: JSON) -> String { o[path: ["metadata", "name"]]?.string ?? "" }
    static func revision(_ rs: JSON) -> Int64? { rs[path: ["metadata", "annotations", revisionKey]]?.string.flatMap { Int64($0) } }
    static func specReplicas(_ rs: JSON) -> Int { rs[path: ["spec", "replicas"]]?.clampedInt ?? 0 }
    static func available(_ rs: JSON) -> Int { rs[path: ["status", "availableReplicas"]]?.clampedInt ?? 0 }

    func ownedReplicaSets(_ d: JSON, ns: String, _ ctx: ControllerContext) async throws -> [JSON] {
        let uid = d[path: ["metadata", "uid"]]?.string ?? ""
        var out: [JSON] = []
        for rs in ctx.informers.informer(Self.replicaSets).byIndex(.namespace, ns) {
            if let ref = PodHelpers.controllerRef(rs) {
                if ref["uid"]?.string == uid { out.append(rs) }
            } else if LabelSelectorMatcher.matches(d[path: ["spec", "selector"]], PodHelpers.labels(rs)) {
                let adopted = try await ctx.client.mergePatch(Self.replicaSets, namespace: ns, name: Self.name(rs),
                                                              ["metadata": ["ownerReferences": [PodHelpers.ownerReference(to: d)],
                                                                            "uid": rs[path: ["metadata", "uid"]] ?? ""]])
                out.append(adopted)
            }
        }
        // The informer may lag behind our own writes: prefer what the API says for sets we know.
        return out
    }

    func createReplicaSet(_ d: JSON, ns: String, revision: Int64, _ ctx: ControllerContext) async throws -> JSON {
        let collisions = Int64(d[path: ["status", "collisionCount"]]?.int32 ?? 0)
        let hash = DeploymentMath.templateHash(d[path: ["spec", "template"]], collisionCount: collisions)
        var template = d[path: ["spec", "template"]] ?? [:]
        template[path: ["metadata", "labels", "pod-template-hash"]] = .string(hash)
        var selector = d[path: ["spec", "selector"]] ?? [:]
        selector[path: ["matchLabels", "pod-template-hash"]] = .string(hash)
        var labels = template[path: ["metadata", "labels"]]?.object ?? JSONObject()
        labels["pod-template-hash"] = .string(hash)
        var annotations = JSONObject()
        for (k, v) in d[path: ["metadata", "annotations"]]?.object ?? JSONObject()
        where !k.hasPrefix("kubectl.kubernetes.io/") && k != Self.revisionKey {
            annotations[k] = v
        }
        let (surge, _) = DeploymentMath.surgeAndUnavailable(d)
        let replicas = Int64(d[path: ["spec", "replicas"]]?.int32 ?? 1)
        annotations[Self.revisionKey] = .string(String(revision))
        annotations["deployment.kubernetes.io/desired-replicas"] = .string(String(replicas))
        annotations["deployment.kubernetes.io/max-replicas"] = .string(String(replicas + Int64(surge)))
        let rs: JSON = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": ["name": .string("\(Self.name(d))-\(hash)"), "namespace": .string(ns), "labels": .object(labels),
                         "annotations": .object(annotations), "ownerReferences": [PodHelpers.ownerReference(to: d)]],
            "spec": ["replicas": 0, "minReadySeconds": d[path: ["spec", "minReadySeconds"]] ?? 0, "selector": selector, "template": template],
        ]
        do {
            let created = try await ctx.client.create(Self.replicaSets, namespace: ns, rs)
            await ctx.events.record(d, reason: "ScalingReplicaSet", message: "Scaled up replica set \(Self.name(created)) from 0 to 0")
            return created
        } catch let e as APIError where e.code == 409 {
            // Same name: ours from an earlier reconcile, or a real hash collision (then bump collisionCount).
            let existing = try await ctx.client.get(Self.replicaSets, namespace: ns, name: "\(Self.name(d))-\(hash)")
            if PodHelpers.controllerRef(existing)?["uid"] == d[path: ["metadata", "uid"]],
               DeploymentMath.withoutHashLabel(existing[path: ["spec", "template"]]) == DeploymentMath.withoutHashLabel(d[path: ["spec", "template"]]) {
                return existing
            }
            var bumped = d
            bumped[path: ["status", "collisionCount"]] = .int(min(collisions + 1, Int64(Int32.max)))
            _ = try await ctx.client.updateStatus(Self.deployments, bumped)
            throw RequeueAfter(.milliseconds(10))
        }
    }

    func scale(_ rs: JSON, to n: Int, _ d: JSON, _ ctx: ControllerContext) async throws {
        let from = Self.specReplicas(rs)
        guard from != n else { return }
        let replicas = Int64(d[path: ["spec", "replicas"]]?.int32 ?? 1)
        let (surge, _) = DeploymentMath.surgeAndUnavailable(d)
        _ = try await ctx.client.mergePatch(Self.replicaSets, namespace: rs[path: ["metadata", "namespace"]]?.string, name: Self.name(rs),
                                            ["spec": ["replicas": .int(Int64(n))],
                                             "metadata": ["annotations": ["deployment.kubernetes.io/desired-replicas": .string(String(replicas)),
                                                                          "deployment.kubernetes.io/max-replicas": .string(String(replicas + Int64(surge)))]]])
        await ctx.events.record(d, reason: "ScalingReplicaSet",
                                message: "Scaled \(n > from ? "up" : "down") replica set \(Self.name(rs)) from \(from) to \(n)")
    }

    // MARK: strategies

    func rollingUpdate(_ d: JSON, newRS: JSON, olds: [JSON], replicas: Int, _ ctx: ControllerContext) async throws {
        let (surge, maxUnavailable) = DeploymentMath.surgeAndUnavailable(d)
        let all = [newRS] + olds
        let total = all.reduce(0) { $0 + Self.specReplicas($1) }
        // Scale up the new set within the surge.
        let maxTotal = replicas + surge
        if Self.specReplicas(newRS) < replicas, total < maxTotal {
            let up = min(replicas, Self.specReplicas(newRS) + (maxTotal - total))
            try await scale(newRS, to: up, d, ctx)
        } else if Self.specReplicas(newRS) > replicas {
            try await scale(newRS, to: replicas, d, ctx)
        }
        // Scale down old sets, keeping at least replicas - maxUnavailable available.
        let minAvailable = replicas - maxUnavailable
        let newUnavailable = max(0, Self.specReplicas(newRS) - Self.available(newRS))
        var budget = total - minAvailable - newUnavailable
        let oldest = olds.sorted { (Self.revision($0) ?? 0) < (Self.revision($1) ?? 0) }
        var scaled: [String: Int] = [:]
        // First the old pods that are not available anyway.
        for rs in oldest where budget > 0 {
            let unhealthy = Self.specReplicas(rs) - Self.available(rs)
            let n = min(unhealthy, budget)
            if n > 0 { scaled[Self.name(rs)] = Self.specReplicas(rs) - n; budget -= n }
        }
        let availableNow = all.reduce(0) { $0 + Self.available($1) }
        var canRemove = min(budget, availableNow - minAvailable)
        for rs in oldest where canRemove > 0 {
            let current = scaled[Self.name(rs)] ?? Self.specReplicas(rs)
            let n = min(current, canRemove)
            if n > 0 { scaled[Self.name(rs)] = current - n; canRemove -= n }
        }
        for rs in oldest { if let n = scaled[Self.name(rs)] { try await scale(rs, to: max(0, n), d, ctx) } }
    }

    func recreate(_ d: JSON, newRS: JSON, olds: [JSON], replicas: Int, ns: String, _ ctx: ControllerContext) async throws {
        for rs in olds where Self.specReplicas(rs) > 0 { try await scale(rs, to: 0, d, ctx) }
        let oldUIDs = Set(olds.compactMap { $0[path: ["metadata", "uid"]]?.string })
        let pods = ctx.informers.informer(Self.pods)
        let oldPodsLeft = oldUIDs.flatMap { pods.owned(by: $0, namespace: ns) }.filter { !PodHelpers.isTerminal($0) }
        if !oldPodsLeft.isEmpty { return } // a pod deletion wakes us
        try await scale(newRS, to: replicas, d, ctx)
    }

    func pruneHistory(_ d: JSON, olds: [JSON], _ ctx: ControllerContext) async throws {
        let limit = max(0, d[path: ["spec", "revisionHistoryLimit"]]?.clampedInt ?? 10)
        let idle = olds.filter { Self.specReplicas($0) == 0 && ($0[path: ["status", "replicas"]]?.int ?? 0) == 0 }
            .sorted { (Self.revision($0) ?? 0) < (Self.revision($1) ?? 0) }
        guard idle.count > limit else { return }
        for rs in idle.prefix(idle.count - limit) {
            do { try await ctx.client.delete(Self.replicaSets, namespace: rs[path: ["metadata", "namespace"]]?.string, name: Self.name(rs)) }
            catch let e as APIError where e.code == 404 {}
        }
    }

    // MARK: status

    func updateStatus(_ d: JSON, sets: [JSON], newRSName: String?, paused: Bool, _ ctx: ControllerContext) async throws {
        let status = Self.status(d, sets: sets, newRSName: newRSName, paused: paused, now: ctx.clock.now())
        if status != d["status"] {
            var u = d
            u["status"] = status
            _ = try await ctx.client.updateStatus(Self.deployments, u)
        }
        // While progressing, check the deadline again later.
        let desired = d[path: ["spec", "replicas"]]?.int ?? 1
        if !paused, (status["updatedReplicas"]?.int ?? 0) < desired || (status["availableReplicas"]?.int ?? 0) < desired {
            throw RequeueAfter(.seconds(5))
        }
    }

    static func status(_ d: JSON, sets: [JSON], newRSName: String?, paused: Bool, now: Timestamp) -> JSON {
        let desired = d[path: ["spec", "replicas"]]?.clampedInt ?? 1
        // Counts written by other writers read as int32, so summing them cannot overflow.
        func sum(_ f: String) -> Int64 { sets.reduce(0) { $0 + Int64($1[path: ["status", f]]?.int32 ?? 0) } }
        let newRS = sets.first { name($0) == newRSName }
        let replicas = sum("replicas")
        let updated = Int64(newRS?[path: ["status", "replicas"]]?.int32 ?? 0)
        let ready = sum("readyReplicas")
        let available = sum("availableReplicas")
        let (_, maxUnavailable) = DeploymentMath.surgeAndUnavailable(d)
        var s: JSON = ["observedGeneration": d[path: ["metadata", "generation"]] ?? 1, "replicas": .int(replicas),
                       "updatedReplicas": .int(updated), "readyReplicas": .int(ready), "availableReplicas": .int(available),
                       "unavailableReplicas": .int(max(0, Int64(desired) - available))]
        if let c = d[path: ["status", "collisionCount"]] { s["collisionCount"] = c }
        let old = d[path: ["status", "conditions"]]?.array ?? []
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSON {
            let prev = old.first { $0["type"]?.string == type }
            let same = prev?["status"]?.string == status
            let changedReason = prev?["reason"]?.string != reason
            let stamp = JSON.string(now.rfc3339)
            return ["type": .string(type), "status": .string(status),
                    "lastUpdateTime": changedReason || !same ? stamp : (prev?["lastUpdateTime"] ?? stamp),
                    "lastTransitionTime": same ? (prev?["lastTransitionTime"] ?? stamp) : stamp,
                    "reason": .string(reason), "message": .string(message)]
        }
        let availableCond = available >= Int64(desired - maxUnavailable)
            ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
            : condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
        let rsName = newRSName ?? ""
        let complete = updated == Int64(desired) && replicas == Int64(desired) && available == Int64(desired)
        var progressing: JSON
        if paused {
            progressing = condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused")
        } else if complete {
            progressing = condition("Progressing", "True", "NewReplicaSetAvailable", "ReplicaSet \"\(rsName)\" has successfully progressed.")
        } else {
            progressing = condition("Progressing", "True", "ReplicaSetUpdated", "ReplicaSet \"\(rsName)\" is progressing.")
            let deadline = d[path: ["spec", "progressDeadlineSeconds"]]?.int ?? 600
            let prev = old.first { $0["type"]?.string == "Progressing" }
            // No progress (status unchanged) for longer than the deadline.
            if prev?["reason"]?.string == "ProgressDeadlineExceeded" {
                progressing = prev!
            } else if let last = prev?["lastUpdateTime"]?.string.flatMap(Timestamp.init(rfc3339:)),
                      prev?["reason"]?.string == "ReplicaSetUpdated", d["status"]?["updatedReplicas"]?.int == updated,
                      d["status"]?["availableReplicas"]?.int == available, now.seconds.saturatingSubtracting(last.seconds) > deadline {
                progressing = condition("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet \"\(rsName)\" has timed out progressing.")
            } else if prev?["reason"]?.string == "ReplicaSetUpdated", d["status"]?["updatedReplicas"]?.int == updated,
                      d["status"]?["availableReplicas"]?.int == available {
                progressing["lastUpdateTime"] = prev?["lastUpdateTime"] ?? progressing["lastUpdateTime"]
            }
        }
        s["conditions"] = [availableCond, progressing]
        return s
    }
}
