import EdgeAPI
import EdgeClient

/// Runs Jobs to completion: keeps up to `parallelism` pods running until
/// `completions` succeed; retries failures with exponential delay up to
/// backoffLimit; enforces activeDeadlineSeconds; cleans up finished Jobs
/// after ttlSecondsAfterFinished.
public struct JobController: Controller {
    public let name = "job"
    static let jobs = BuiltinResources.jobs
    static let pods = BuiltinResources.pods
    let backoffBase: Int64
    let backoffMax: Int64 = 360
    let expectations = Expectations()

    public init(backoffBaseSeconds: Int64 = 10) { self.backoffBase = backoffBaseSeconds }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.jobs).addHandler(.any { queue.add(Informer.key($0)) })
        let exp = expectations
        ctx.informers.informer(Self.pods).addHandler(Informer.Handler(
            added: { p in if let k = Self.owner(p) { exp.observedAdd(k); queue.add(k) } },
            updated: { _, p in if let k = Self.owner(p) { queue.add(k) } },
            deleted: { p in if let k = Self.owner(p) { queue.add(k) } }))
    }

    static func owner(_ pod: JSON) -> String? {
        guard let ref = PodHelpers.controllerRef(pod), ref["kind"]?.string == "Job", let n = ref["name"]?.string else { return nil }
        return (pod[path: ["metadata", "namespace"]]?.string ?? "") + "/" + n
    }

    static func finished(_ job: JSON) -> JSON? {
        (job[path: ["status", "conditions"]]?.array ?? []).first {
            ($0["type"]?.string == "Complete" || $0["type"]?.string == "Failed") && $0["status"]?.string == "True"
        }
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let job = ctx.informers.informer(Self.jobs).get(key), !PodHelpers.isBeingDeleted(job) else { return }
        let (nsOpt, name) = Informer.split(key)
        let ns = nsOpt ?? ""
        let now = ctx.clock.now()
        if let done = Self.finished(job) {
            try await cleanUpAfterTTL(job, finishedAt: done["lastTransitionTime"]?.string, ns: ns, name: name, now: now, ctx)
            return
        }
        let uid = job[path: ["metadata", "uid"]]?.string
        let pods = ctx.informers.informer(Self.pods).owned(by: uid ?? "", namespace: ns)
        let active = pods.filter(PodHelpers.isActive)
        // Counts read as int32 (what upstream's fields hold) whatever an old stored object says.
        let succeeded = max(job[path: ["status", "succeeded"]]?.clampedInt ?? 0, pods.filter { $0[path: ["status", "phase"]]?.string == "Succeeded" }.count)
        let failedPods = pods.filter { $0[path: ["status", "phase"]]?.string == "Failed" }
        let failed = max(job[path: ["status", "failed"]]?.clampedInt ?? 0, failedPods.count)
        let spec = job["spec"] ?? [:]
        let completions = spec["completions"]?.clampedInt ?? 1
        let parallelism = spec["parallelism"]?.clampedInt ?? 1
        let backoffLimit = spec["backoffLimit"]?.clampedInt ?? 6
        var status = job["status"] ?? [:]
        let startTime = status["startTime"]?.string.flatMap(Timestamp.init(rfc3339:)) ?? now
        if status["startTime"] == nil && spec["suspend"]?.bool != true { status["startTime"] = .string(now.rfc3339) }
        status["succeeded"] = .int(Int64(succeeded))
        status["failed"] = .int(Int64(failed))
        status["ready"] = .int(Int64(active.filter(PodHelpers.isReady).count))
        var conditions = status["conditions"]?.array ?? []
        func condition(_ type: String, _ reason: String, _ message: String) {
            conditions.removeAll { $0["type"]?.string == type }
            conditions.append(["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
                               "lastProbeTime": .string(now.rfc3339), "lastTransitionTime": .string(now.rfc3339)])
        }
        var requeue: Int64?
        if succeeded >= completions {
            condition("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods")
            condition("Complete", "CompletionsReached", "Reached expected number of succeeded pods")
            status["completionTime"] = .string(now.rfc3339)
            try await deleteAll(active, ns: ns, ctx)
            status["active"] = 0
            await ctx.events.record(job, reason: "Completed", message: "Job completed")
        } else if let deadline = spec["activeDeadlineSeconds"]?.int, now.seconds.saturatingSubtracting(startTime.seconds) >= deadline {
            condition("FailureTarget", "DeadlineExceeded", "Job was active longer than specified deadline")
            condition("Failed", "DeadlineExceeded", "Job was active longer than specified deadline")
            try await deleteAll(active, ns: ns, ctx)
            status["active"] = 0
            await ctx.events.record(job, type: "Warning", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline")
        } else if failed > backoffLimit {
            condition("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
            condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
            try await deleteAll(active, ns: ns, ctx)
            status["active"] = 0
            await ctx.events.record(job, type: "Warning", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit")
        } else {
            status["active"] = .int(Int64(active.count))
            if spec["suspend"]?.bool != true && expectations.satisfied(key) {
                let want = max(0, min(parallelism, completions - succeeded))
                let missing = want - active.count
                if missing > 0 {
                    let wait = backoffRemaining(failedPods: failedPods, failed: failed, now: now)
                    if wait > 0 {
                        requeue = wait
                    } else {
                        // At most upstream's maxPodCreateDeletePerSync per pass; the next pass makes the rest.
                        try await create(min(missing, 500), job: job, ns: ns, key: key, ctx)
                    }
                } else if missing < 0 {
                    try await deleteAll(Array(PodDeletionOrder(now: now).sorted(active).prefix(-missing)), ns: ns, ctx)
                }
            }
            if let deadline = spec["activeDeadlineSeconds"]?.int {
                let left = deadline.saturatingSubtracting(now.seconds.saturatingSubtracting(startTime.seconds))
                requeue = min(requeue ?? left, max(1, left))
            }
        }
        status["conditions"] = conditions.isEmpty ? nil : .array(conditions)
        if status != job["status"] {
            var u = job
            u["status"] = status
            _ = try await ctx.client.updateStatus(Self.jobs, u)
        }
        if let requeue { throw RequeueAfter(.seconds(max(1, requeue))) }
    }

    /// Seconds to wait before the next retry: base doubling per failure, capped, counted from the last failure.
    func backoffRemaining(failedPods: [JSON], failed: Int, now: Timestamp) -> Int64 {
        guard failed > 0 else { return 0 }
        var delay = backoffBase
        // Doubling stops at the cap: a failed count in the billions costs no more than a few steps.
        var doublings = 1
        while doublings < failed && delay < backoffMax {
            delay = min(backoffMax, delay.saturatingMultiplied(by: 2))
            doublings += 1
        }
        let last = failedPods.compactMap { p -> Timestamp? in
            let finished = (p[path: ["status", "containerStatuses"]]?.array ?? []).compactMap { $0[path: ["state", "terminated", "finishedAt"]]?.string }
            return (finished.max() ?? p[path: ["metadata", "creationTimestamp"]]?.string).flatMap(Timestamp.init(rfc3339:))
        }.max() ?? now
        return max(0, last.seconds.saturatingAdding(delay).saturatingSubtracting(now.seconds))
    }

    func create(_ n: Int, job: JSON, ns: String, key: String, _ ctx: ControllerContext) async throws {
        expectations.expect(key, adds: n)
        let template = job[path: ["spec", "template"]]
        let name = job[path: ["metadata", "name"]]?.string ?? ""
        let created = try await SlowStart.run(total: n) {
            let pod = PodHelpers.pod(from: template, owner: job, generateName: name + "-", namespace: ns)
            let p = try await ctx.client.create(Self.pods, namespace: ns, pod)
            await ctx.events.record(job, reason: "SuccessfulCreate", message: "Created pod: \(p[path: ["metadata", "name"]]?.string ?? "")")
        }
        if created < n { expectations.lowerAdds(key, by: n - created) }
    }

    func deleteAll(_ pods: [JSON], ns: String, _ ctx: ControllerContext) async throws {
        for p in pods {
            do { try await ctx.client.delete(Self.pods, namespace: ns, name: p[path: ["metadata", "name"]]?.string ?? "") }
            catch let e as APIError where e.code == 404 {}
        }
    }

    func cleanUpAfterTTL(_ job: JSON, finishedAt: String?, ns: String, name: String, now: Timestamp, _ ctx: ControllerContext) async throws {
        guard let ttl = job[path: ["spec", "ttlSecondsAfterFinished"]]?.int,
              let done = (job[path: ["status", "completionTime"]]?.string ?? finishedAt).flatMap(Timestamp.init(rfc3339:)) else { return }
        let left = done.seconds.saturatingAdding(ttl).saturatingSubtracting(now.seconds)
        if left > 0 { throw RequeueAfter(.seconds(left)) }
        do { try await ctx.client.delete(Self.jobs, namespace: ns, name: name, propagationPolicy: "Background") }
        catch let e as APIError where e.code == 404 {}
    }
}
