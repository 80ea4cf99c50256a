import EdgeAPI
import EdgeClient

/// One pod per eligible node: a node is eligible when it matches the pod
/// template's node selector/affinity and every NoSchedule/NoExecute taint is
/// tolerated (DaemonSet pods also get upstream's default tolerations); a pod
/// already running stays through NoSchedule taints added later. Pods
/// are pinned with node affinity on metadata.name and placed by the scheduler;
/// template changes roll out maxUnavailable nodes at a time.
public struct DaemonSetController: Controller {
    public let name = "daemonset"
    static let daemonSets = BuiltinResources.daemonSets
    static let nodes = BuiltinResources.nodes
    static let pods = BuiltinResources.pods
    static let hashLabel = "controller-revision-hash"

    /// Pods created or deleted that the pod cache has not shown yet: as upstream, a reconcile
    /// before the watch catches up (a slow server: a board, or emulation) must not create a
    /// second pod for the same node.
    let expectations = Expectations()

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        let dsInformer = ctx.informers.informer(Self.daemonSets)
        dsInformer.addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(Self.nodes).addHandler(.any { _ in for ds in dsInformer.list() { queue.add(Informer.key(ds)) } })
        let exp = expectations
        ctx.informers.informer(Self.pods).addHandler(Informer.Handler(
            added: { p in
                guard let key = Self.owner(of: p) else { return }
                exp.observedAdd(key)
                queue.add(key)
            },
            updated: { old, new in
                guard let key = Self.owner(of: new) ?? Self.owner(of: old) else { return }
                // A pod marked for graceful deletion counts as deleted, as upstream.
                if !PodHelpers.isBeingDeleted(old) && PodHelpers.isBeingDeleted(new) {
                    exp.observedDelete(key, name: new[path: ["metadata", "name"]]?.string ?? "")
                }
                queue.add(key)
            },
            deleted: { p in
                guard let key = Self.owner(of: p) else { return }
                exp.observedDelete(key, name: p[path: ["metadata", "name"]]?.string ?? "")
                queue.add(key)
            }))
    }

    /// The DaemonSet key a pod belongs to, from its controller reference.
    static func owner(of p: JSON) -> String? {
        guard let ref = PodHelpers.controllerRef(p), ref["kind"]?.string == "DaemonSet", let n = ref["name"]?.string else { return nil }
        return (p[path: ["metadata", "namespace"]]?.string ?? "") + "/" + n
    }

    static let defaultTolerations: [JSON] = [
        ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
        ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
        ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
    ]

    static func tolerations(_ template: JSON?) -> [JSON] {
        var t = template?[path: ["spec", "tolerations"]]?.array ?? []
        for d in defaultTolerations where !t.contains(where: { $0["key"] == d["key"] && $0["effect"] == d["effect"] }) { t.append(d) }
        if template?[path: ["spec", "hostNetwork"]]?.bool == true {
            t.append(["key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"])
        }
        return t
    }

    static func shouldRun(_ template: JSON?, on node: JSON) -> Bool {
        NodeMatching.selects(podSpec: template?["spec"], node: node)
            && NodeMatching.untoleratedTaint(tolerations(template), NodeMatching.taints(node)) == nil
    }

    /// As upstream: a pod already on a node stays through NoSchedule taints (they only keep new
    /// pods away; a node gone Unknown gets one) and leaves for a NoExecute taint it does not tolerate.
    static func shouldContinueRunning(_ template: JSON?, on node: JSON) -> Bool {
        NodeMatching.selects(podSpec: template?["spec"], node: node)
            && NodeMatching.untoleratedTaint(tolerations(template), NodeMatching.taints(node), effects: ["NoExecute"]) == nil
    }

    /// The node a daemon pod is for: its binding, else its metadata.name affinity.
    static func targetNode(_ pod: JSON) -> String? {
        if let n = pod[path: ["spec", "nodeName"]]?.string, !n.isEmpty { return n }
        let terms = pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]]?.array ?? []
        for t in terms {
            for f in t["matchFields"]?.array ?? [] where f["key"]?.string == "metadata.name" { return f["values"]?.array?.first?.string }
        }
        return nil
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let ds = ctx.informers.informer(Self.daemonSets).get(key) else {
            expectations.forget(key)
            return
        }
        guard !PodHelpers.isBeingDeleted(ds) else { return }
        let (nsOpt, _) = Informer.split(key)
        let ns = nsOpt ?? ""
        let uid = ds[path: ["metadata", "uid"]]?.string
        let template = ds[path: ["spec", "template"]]
        let hash = DeploymentMath.templateHash(template)
        let nodes = ctx.informers.informer(Self.nodes).list()
        let owned = ctx.informers.informer(Self.pods).owned(by: uid ?? "", namespace: ns)
        var byNode: [String: [JSON]] = [:]
        for p in owned where PodHelpers.isActive(p) { if let n = Self.targetNode(p) { byNode[n, default: []].append(p) } }

        var creates: [String] = []
        var deletes: [JSON] = []
        var eligible = Set<String>()
        for node in nodes {
            let name = node[path: ["metadata", "name"]]?.string ?? ""
            let pods = byNode[name] ?? []
            if Self.shouldRun(template, on: node) {
                eligible.insert(name)
                if pods.isEmpty { creates.append(name) }
                deletes += pods.dropFirst()
            } else if Self.shouldContinueRunning(template, on: node) {
                deletes += pods.dropFirst()  // counted misscheduled, as upstream
            } else {
                deletes += pods
            }
        }
        // Pods for nodes that no longer exist.
        let known = Set(nodes.compactMap { $0[path: ["metadata", "name"]]?.string })
        for (n, pods) in byNode where !known.contains(n) { deletes += pods }

        // Rolling update: replace old-template pods, at most maxUnavailable unavailable at once.
        if ds[path: ["spec", "updateStrategy", "type"]]?.string != "OnDelete" {
            let maxUnavailable = DeploymentMath.resolve(ds[path: ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"]],
                                                        total: eligible.count, roundUp: true, default: 1)
            let minReady = ds[path: ["spec", "minReadySeconds"]]?.int ?? 0
            var unavailable = eligible.filter { n in
                !(byNode[n] ?? []).contains { PodHelpers.isAvailable($0, minReadySeconds: minReady, now: ctx.clock.now()) }
            }.count
            for n in eligible.sorted() {
                guard let p = byNode[n]?.first, PodHelpers.labels(p)[Self.hashLabel]?.string != hash,
                      !deletes.contains(where: { $0[path: ["metadata", "uid"]] == p[path: ["metadata", "uid"]] }) else { continue }
                // An old pod that is not available costs nothing to replace; available ones go within the budget.
                if !PodHelpers.isAvailable(p, minReadySeconds: minReady, now: ctx.clock.now()) {
                    deletes.append(p)
                } else if unavailable < max(1, maxUnavailable) {
                    deletes.append(p)
                    unavailable += 1
                }
            }
        }

        // Until the cache shows the last round's creations and deletions, only the status is written.
        if expectations.satisfied(key) {
            expectations.expect(key, adds: creates.count, deletes: deletes.compactMap { $0[path: ["metadata", "name"]]?.string })
        } else {
            creates = []
            deletes = []
        }
        for (i, node) in creates.enumerated() {
            var pod = PodHelpers.pod(from: template, owner: ds, generateName: "\(ds[path: ["metadata", "name"]]?.string ?? "")-", namespace: ns)
            pod[path: ["metadata", "labels", Self.hashLabel]] = .string(hash)
            pod[path: ["spec", "tolerations"]] = .array(Self.tolerations(template))
            pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]] =
                ["nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]]]]]
            let created: JSON
            do {
                created = try await ctx.client.create(Self.pods, namespace: ns, pod)
            } catch {
                // The creations not made, and the deletions not tried, will never be observed.
                expectations.lowerAdds(key, by: creates.count - i)
                for p in deletes { expectations.observedDelete(key, name: p[path: ["metadata", "name"]]?.string ?? "") }
                throw error
            }
            await ctx.events.record(ds, reason: "SuccessfulCreate", message: "Created pod: \(created[path: ["metadata", "name"]]?.string ?? "")")
        }
        for p in deletes {
            let n = p[path: ["metadata", "name"]]?.string ?? ""
            do {
                try await ctx.client.delete(Self.pods, namespace: ns, name: n)
                await ctx.events.record(ds, reason: "SuccessfulDelete", message: "Deleted pod: \(n)")
            } catch let e as APIError where e.code == 404 {
                expectations.observedDelete(key, name: n)
            } catch {
                expectations.observedDelete(key, name: n)  // never to be observed
                throw error
            }
        }
        let status = Self.status(ds, eligible: eligible, byNode: byNode, hash: hash, now: ctx.clock.now())
        if status != ds["status"] {
            var u = ds
            u["status"] = status
            _ = try await ctx.client.updateStatus(Self.daemonSets, u)
        }
    }

    static func status(_ ds: JSON, eligible: Set<String>, byNode: [String: [JSON]], hash: String, now: Timestamp) -> JSON {
        let minReady = ds[path: ["spec", "minReadySeconds"]]?.int ?? 0
        let scheduled = eligible.filter { !(byNode[$0] ?? []).isEmpty }
        let misscheduled = byNode.keys.filter { !eligible.contains($0) }.count
        let pods = scheduled.compactMap { byNode[$0]?.first }
        let ready = pods.filter(PodHelpers.isReady).count
        let available = pods.filter { PodHelpers.isAvailable($0, minReadySeconds: minReady, now: now) }.count
        let updated = pods.filter { PodHelpers.labels($0)[hashLabel]?.string == hash }.count
        return ["desiredNumberScheduled": .int(Int64(eligible.count)), "currentNumberScheduled": .int(Int64(scheduled.count)),
                "numberMisscheduled": .int(Int64(misscheduled)), "numberReady": .int(Int64(ready)),
                "updatedNumberScheduled": .int(Int64(updated)), "numberAvailable": .int(Int64(available)),
                "numberUnavailable": .int(Int64(max(0, eligible.count - available))),
                "observedGeneration": ds[path: ["metadata", "generation"]] ?? 1]
    }
}
