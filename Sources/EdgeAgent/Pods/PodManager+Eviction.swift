import EdgeAPI
import EdgeBoards
import EdgeClient
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

extension PodManager {
    /// kubelet's eviction manager for memory: while memory.available is below the board's hard
    /// threshold, one pod per check is evicted, in MemoryEvictionRanking's order: its containers
    /// are killed at once, the pod ends Failed with reason Evicted and an Evicted event, and its
    /// controller (if any) makes a replacement, which the memory-pressure taint keeps off this node.
    func evictIfUnderMemoryPressure() async {
        guard let threshold = config.evictionMemoryAvailableBytes, let available = config.memoryAvailable?(), available < threshold else { return }
        var candidates: [MemoryEvictionRanking.Candidate] = []
        for pod in informer.list() {
            guard let uid = pod[path: ["metadata", "uid"]]?.string, pod[path: ["metadata", "deletionTimestamp"]] == nil,
                  !["Succeeded", "Failed"].contains(pod[path: ["status", "phase"]]?.string ?? ""),
                  local.withLock({ $0[uid] != nil && $0[uid]?.evicted == nil }) else { continue }
            candidates.append(.init(pod: pod, uid: uid, usageBytes: PodMemoryUsage.workingSet(uid: uid) ?? 0))
        }
        guard let victim = MemoryEvictionRanking.rank(candidates).first else { return }
        let message = "The node was low on resource: memory. Threshold quantity: \(ByteSize.format(threshold)), available: \(available / 1024)Ki. "
            + "Pod was using \(victim.usageBytes / 1024)Ki, request is \(victim.requestBytes / 1024)Ki."
        await evict(victim.pod, uid: victim.uid, message: message)
    }

    func evict(_ pod: JSON, uid: String, message: String) async {
        updateLocal(uid) { $0.evicted = message }
        await events.record(pod, type: "Warning", reason: "Evicted", message: message)
        for c in (pod[path: ["spec", "initContainers"]]?.array ?? []) + (pod[path: ["spec", "containers"]]?.array ?? []) {
            let o = observe(c, uid: uid)
            if o.running { o.current?.signal(SIGKILL) }
        }
        let now = JSON.string(Timestamp.now().rfc3339)
        var conditions = (pod[path: ["status", "conditions"]]?.array ?? []).filter { $0["type"]?.string != "DisruptionTarget" }
            .map { c -> JSON in
                guard ["Ready", "ContainersReady"].contains(c["type"]?.string ?? ""), c["status"]?.string != "False" else { return c }
                var x = c
                x["status"] = "False"
                x["lastTransitionTime"] = now
                return x
            }
        conditions.append(["type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet", "message": .string(message),
                           "lastTransitionTime": now])
        let status: JSON = ["phase": "Failed", "reason": "Evicted", "message": .string(message), "conditions": .array(conditions)]
        do {
            _ = try await client.mergePatch(Self.pods, namespace: pod[path: ["metadata", "namespace"]]?.string,
                                            name: pod[path: ["metadata", "name"]]?.string ?? "", ["status": status], subresource: "status")
        } catch {
            await events.record(pod, type: "Warning", reason: "FailedEviction", message: "could not record the eviction: \(error)")
        }
        queue.add(Informer.key(pod))
    }
}
