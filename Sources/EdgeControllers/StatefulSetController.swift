import EdgeAPI
import EdgeClient

/// StatefulSets: pods with stable names `<set>-<ordinal>`, hostname and
/// subdomain. OrderedReady (default) starts ordinal i only once 0..i-1 are
/// Running and Ready and removes from the highest ordinal one at a time;
/// Parallel does both at once. RollingUpdate replaces pods from the highest
/// ordinal down to the partition, one at a time, each after the previous
/// replacement is Ready; OnDelete replaces only pods the user deletes.
/// (Pods below the partition that are deleted come back with the current
/// template: old templates are not kept, as there are no ControllerRevisions yet.)
public struct StatefulSetController: Controller {
    public let name = "statefulset"
    static let sets = ControllerContext.resource("statefulsets", group: "apps")
    static let pods = ControllerContext.resource("pods")
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    static let podIndexLabel = "apps.kubernetes.io/pod-index"
    static let revisionLabel = "controller-revision-hash"

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.sets).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(Self.pods).addHandler(.any { p in
            if let ref = PodHelpers.controllerRef(p), ref["kind"]?.string == "StatefulSet", let n = ref["name"]?.string {
                queue.add((p[path: ["metadata", "namespace"]]?.string ?? "") + "/" + n)
            }
        })
    }

    static func ordinal(_ pod: JSON, set: String) -> Int? {
        guard let name = pod[path: ["metadata", "name"]]?.string, name.hasPrefix(set + "-") else { return nil }
        return Int(name.dropFirst(set.count + 1))
    }

    static func runningAndReady(_ pod: JSON) -> Bool {
        pod[path: ["status", "phase"]]?.string == "Running" && PodHelpers.isReady(pod) && !PodHelpers.isBeingDeleted(pod)
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let set = ctx.informers.informer(Self.sets).get(key), !PodHelpers.isBeingDeleted(set) else { return }
        let (nsOpt, name) = Informer.split(key)
        let ns = nsOpt ?? ""
        let uid = set[path: ["metadata", "uid"]]?.string
        var byOrdinal: [Int: JSON] = [:]
        for p in ctx.informers.informer(Self.pods).list(where: {
            $0[path: ["metadata", "namespace"]]?.string == ns && PodHelpers.controllerRef($0)?["uid"]?.string == uid
        }) {
            if let i = Self.ordinal(p, set: name) { byOrdinal[i] = p }
        }
        let replicas = Int(set[path: ["spec", "replicas"]]?.int ?? 1)
        let parallel = set[path: ["spec", "podManagementPolicy"]]?.string == "Parallel"
        let updateRevision = name + "-" + DeploymentMath.templateHash(set[path: ["spec", "template"]])
        let onDelete = set[path: ["spec", "updateStrategy", "type"]]?.string == "OnDelete"
        let partition = Int(set[path: ["spec", "updateStrategy", "rollingUpdate", "partition"]]?.int ?? 0)

        try await step(set, ns: ns, name: name, byOrdinal: byOrdinal, replicas: replicas, parallel: parallel,
                       updateRevision: updateRevision, onDelete: onDelete, partition: partition, ctx)
        let fresh = ctx.informers.informer(Self.pods).list(where: {
            $0[path: ["metadata", "namespace"]]?.string == ns && PodHelpers.controllerRef($0)?["uid"]?.string == uid
        })
        try await updateStatus(set, pods: fresh, updateRevision: updateRevision, replicas: replicas, ctx)
    }

    /// One pass of creating, removing and replacing, stopping where ordering requires waiting.
    func step(_ set: JSON, ns: String, name: String, byOrdinal: [Int: JSON], replicas: Int, parallel: Bool,
              updateRevision: String, onDelete: Bool, partition: Int, _ ctx: ControllerContext) async throws {
        // Failed pods are removed so they can be recreated under the same name.
        for (_, p) in byOrdinal where p[path: ["status", "phase"]]?.string == "Failed" && !PodHelpers.isBeingDeleted(p) {
            try await delete(p, set, ns: ns, ctx)
        }
        for i in 0..<replicas {
            if let p = byOrdinal[i] {
                if !parallel && !Self.runningAndReady(p) { return } // wait for it before touching higher ordinals
                continue
            }
            try await create(i, set, ns: ns, name: name, revision: updateRevision, ctx)
            if !parallel { return }
        }
        let condemned = byOrdinal.filter { $0.key >= replicas }.sorted { $0.key > $1.key }
        if !condemned.isEmpty {
            if parallel {
                for (_, p) in condemned where !PodHelpers.isBeingDeleted(p) { try await delete(p, set, ns: ns, ctx) }
            } else if !byOrdinal.values.contains(where: PodHelpers.isBeingDeleted) {
                try await delete(condemned[0].value, set, ns: ns, ctx)
            }
            return
        }
        guard !onDelete else { return }
        // Rolling update: all pods up and ready, then replace the highest outdated ordinal at or above the partition.
        let live = (0..<replicas).compactMap { byOrdinal[$0] }
        guard live.count == replicas, live.allSatisfy(Self.runningAndReady) else { return }
        if let (_, outdated) = byOrdinal.filter({ $0.key >= partition && $0.key < replicas
                                                   && $0.value[path: ["metadata", "labels", Self.revisionLabel]]?.string != updateRevision })
            .max(by: { $0.key < $1.key }) {
            try await delete(outdated, set, ns: ns, ctx)
        }
    }

    func create(_ ordinal: Int, _ set: JSON, ns: String, name: String, revision: String, _ ctx: ControllerContext) async throws {
        let podName = "\(name)-\(ordinal)"
        var pod = PodHelpers.pod(from: set[path: ["spec", "template"]], owner: set, generateName: "", namespace: ns)
        pod[path: ["metadata", "generateName"]] = nil
        pod[path: ["metadata", "name"]] = .string(podName)
        pod[path: ["metadata", "labels", Self.podNameLabel]] = .string(podName)
        pod[path: ["metadata", "labels", Self.podIndexLabel]] = .string(String(ordinal))
        pod[path: ["metadata", "labels", Self.revisionLabel]] = .string(revision)
        pod[path: ["spec", "hostname"]] = .string(podName)
        if let svc = set[path: ["spec", "serviceName"]]?.string, !svc.isEmpty { pod[path: ["spec", "subdomain"]] = .string(svc) }
        do {
            _ = try await ctx.client.create(Self.pods, namespace: ns, pod)
            await ctx.events.record(set, reason: "SuccessfulCreate", message: "create Pod \(podName) in StatefulSet \(name) successful")
        } catch let e as APIError where e.code == 409 {
            // The old pod of that name is still terminating (or the cache is behind): the next event retries.
            throw RequeueAfter(.milliseconds(200))
        }
    }

    func delete(_ pod: JSON, _ set: JSON, ns: String, _ ctx: ControllerContext) async throws {
        let podName = pod[path: ["metadata", "name"]]?.string ?? ""
        do {
            _ = try await ctx.client.delete(Self.pods, namespace: ns, name: podName, preconditionUID: pod[path: ["metadata", "uid"]]?.string)
            await ctx.events.record(set, reason: "SuccessfulDelete",
                                    message: "delete Pod \(podName) in StatefulSet \(set[path: ["metadata", "name"]]?.string ?? "") successful")
        } catch let e as APIError where e.code == 404 || e.code == 409 {}
    }

    func updateStatus(_ set: JSON, pods: [JSON], updateRevision: String, replicas: Int, _ ctx: ControllerContext) async throws {
        let active = pods.filter { !PodHelpers.isBeingDeleted($0) && !PodHelpers.isTerminal($0) }
        let updated = active.filter { $0[path: ["metadata", "labels", Self.revisionLabel]]?.string == updateRevision }
        let ready = active.filter(Self.runningAndReady)
        var status = set["status"] ?? [:]
        let done = updated.count == replicas && active.count == replicas
        // When every pod runs the new template, it becomes the current revision.
        let current = done ? updateRevision : (status["currentRevision"]?.string ?? updateRevision)
        status["observedGeneration"] = set[path: ["metadata", "generation"]]
        status["replicas"] = .int(Int64(active.count))
        status["readyReplicas"] = .int(Int64(ready.count))
        status["availableReplicas"] = .int(Int64(ready.count))
        status["currentReplicas"] = .int(Int64(active.filter { $0[path: ["metadata", "labels", Self.revisionLabel]]?.string == current }.count))
        status["updatedReplicas"] = .int(Int64(updated.count))
        status["currentRevision"] = .string(current)
        status["updateRevision"] = .string(updateRevision)
        status["collisionCount"] = status["collisionCount"] ?? 0
        if status != set["status"] {
            var u = set
            u["status"] = status
            _ = try await ctx.client.updateStatus(Self.sets, u)
        }
    }
}
