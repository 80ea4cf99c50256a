import EdgeAPI
import EdgeClient

/// Creates Jobs on a cron schedule: one Job per scheduled time (named by it,
/// so a retry never runs it twice), honouring concurrencyPolicy,
/// startingDeadlineSeconds and suspend, and pruning finished Jobs beyond the
/// history limits. Wakes itself at the next scheduled time.
public struct CronJobController: Controller {
    public let name = "cronjob"
    static let cronJobs = BuiltinResources.cronJobs
    static let jobs = BuiltinResources.jobs
    static let scheduledAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"

    /// The status this controller last wrote per CronJob: its lastScheduleTime and active list
    /// decide whether a schedule is still due, so an older cached copy must not be acted on.
    let written = WrittenVersions()

    public init() {}

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        ctx.informers.informer(Self.cronJobs).addHandler(.any { queue.add(Informer.key($0)) })
        ctx.informers.informer(Self.jobs).addHandler(.any { j in
            if let ref = PodHelpers.controllerRef(j), ref["kind"]?.string == "CronJob", let n = ref["name"]?.string {
                queue.add((j[path: ["metadata", "namespace"]]?.string ?? "") + "/" + n)
            }
        })
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        guard let cj = ctx.informers.informer(Self.cronJobs).get(key) else {
            written.forget(key)
            return
        }
        guard !PodHelpers.isBeingDeleted(cj) else { return }
        // The cache has not shown our last status write yet: its update brings the key back.
        if written.isStale(key, cj) { throw RequeueAfter(.milliseconds(200)) }
        let (nsOpt, name) = Informer.split(key)
        let ns = nsOpt ?? ""
        let now = ctx.clock.now()
        guard let schedule = try? CronSchedule(cj[path: ["spec", "schedule"]]?.string ?? "") else { return }
        let uid = cj[path: ["metadata", "uid"]]?.string
        var owned = ctx.informers.informer(Self.jobs).owned(by: uid ?? "", namespace: ns)
        // Jobs status.active names that the job cache has not shown yet (the controller created
        // them a moment ago and the watch lags: a slow server) are asked for, as upstream does,
        // so Forbid and Replace see them and no second job starts.
        let cached = Set(owned.compactMap { $0[path: ["metadata", "uid"]]?.string })
        for ref in cj[path: ["status", "active"]]?.array ?? [] {
            guard let uid = ref["uid"]?.string, !cached.contains(uid), let jobName = ref["name"]?.string else { continue }
            if let job = try await ctx.client.getIfExists(Self.jobs, namespace: ns, name: jobName),
               job[path: ["metadata", "uid"]]?.string == uid {
                owned.append(job)
            }
        }
        var active = owned.filter { JobController.finished($0) == nil && !PodHelpers.isBeingDeleted($0) }
        var status = cj["status"] ?? [:]

        // The latest scheduled time not yet handled.
        let since = (status["lastScheduleTime"]?.string ?? cj[path: ["metadata", "creationTimestamp"]]?.string).flatMap(Timestamp.init(rfc3339:)) ?? now
        var due: Timestamp?
        var t = since
        for _ in 0..<1000 {
            guard let n = schedule.next(after: t), n <= now else { break }
            due = n
            t = n
        }
        if let due, cj[path: ["spec", "suspend"]]?.bool != true {
            let late = now.seconds.saturatingSubtracting(due.seconds)
            let deadline = cj[path: ["spec", "startingDeadlineSeconds"]]?.int
            let policy = cj[path: ["spec", "concurrencyPolicy"]]?.string ?? "Allow"
            if policy != "Allow" {
                // Forbid and Replace decide on the running jobs, and a job this controller created
                // a moment ago can be in neither the job cache nor status.active (that status write
                // lost a conflict): ask the server, once per scheduled time, so no second job starts.
                let known = Set(owned.compactMap { $0[path: ["metadata", "uid"]]?.string })
                for job in try await ctx.client.list(Self.jobs, namespace: ns).items
                where PodHelpers.controllerRef(job)?["uid"]?.string == uid && uid != nil
                    && !known.contains(job[path: ["metadata", "uid"]]?.string ?? "") {
                    owned.append(job)
                    if JobController.finished(job) == nil && !PodHelpers.isBeingDeleted(job) { active.append(job) }
                }
            }
            if let deadline, late > deadline {
                await ctx.events.record(cj, type: "Warning", reason: "MissSchedule", message: "Missed scheduled time to start a job: \(due.rfc3339)")
                status["lastScheduleTime"] = .string(due.rfc3339)
            } else if policy == "Forbid" && !active.isEmpty {
                // Skipped while one runs; the next schedule will try again.
                status["lastScheduleTime"] = .string(due.rfc3339)
            } else {
                if policy == "Replace" {
                    // A job that cannot be deleted would run beside its replacement: retry the key instead.
                    for j in active {
                        do {
                            try await ctx.client.delete(Self.jobs, namespace: ns, name: j[path: ["metadata", "name"]]?.string ?? "",
                                                        propagationPolicy: "Background")
                        } catch let e as APIError where e.code == 404 {
                            // Gone already.
                        }
                    }
                    active = []
                }
                let job = try await createJob(cj, ns: ns, name: name, at: due, ctx)
                active.append(job)
                owned.append(job)
                status["lastScheduleTime"] = .string(due.rfc3339)
            }
        }
        status["active"] = active.isEmpty ? nil : .array(active.map { j in
            ["kind": "Job", "apiVersion": "batch/v1", "namespace": .string(ns), "name": j[path: ["metadata", "name"]] ?? "",
             "uid": j[path: ["metadata", "uid"]] ?? "", "resourceVersion": j[path: ["metadata", "resourceVersion"]] ?? ""]
        })
        let succeeded = owned.filter { JobController.finished($0)?["type"]?.string == "Complete" }
        if let last = succeeded.compactMap({ $0[path: ["status", "completionTime"]]?.string }).max() { status["lastSuccessfulTime"] = .string(last) }
        try await prune(succeeded, keep: max(0, cj[path: ["spec", "successfulJobsHistoryLimit"]]?.clampedInt ?? 3), ns: ns, ctx)
        try await prune(owned.filter { JobController.finished($0)?["type"]?.string == "Failed" },
                        keep: max(0, cj[path: ["spec", "failedJobsHistoryLimit"]]?.clampedInt ?? 1), ns: ns, ctx)
        if status != cj["status"] {
            var u = cj
            u["status"] = status
            written.record(key, try await ctx.client.updateStatus(Self.cronJobs, u))
        }
        if let next = schedule.next(after: now) { throw RequeueAfter(.seconds(max(1, next.seconds - now.seconds))) }
    }

    func createJob(_ cj: JSON, ns: String, name: String, at t: Timestamp, _ ctx: ControllerContext) async throws -> JSON {
        let jobName = "\(name)-\(t.seconds / 60)"
        var meta = cj[path: ["spec", "jobTemplate", "metadata"]]?.object ?? JSONObject()
        meta["name"] = .string(jobName)
        meta["namespace"] = .string(ns)
        meta["ownerReferences"] = [PodHelpers.ownerReference(to: cj)]
        var annotations = meta["annotations"]?.object ?? JSONObject()
        annotations[Self.scheduledAnnotation] = .string(t.rfc3339)
        meta["annotations"] = .object(annotations)
        let job: JSON = ["apiVersion": "batch/v1", "kind": "Job", "metadata": .object(meta), "spec": cj[path: ["spec", "jobTemplate", "spec"]] ?? [:]]
        do {
            let created = try await ctx.client.create(Self.jobs, namespace: ns, job)
            await ctx.events.record(cj, reason: "SuccessfulCreate", message: "Created job \(jobName)")
            return created
        } catch let e as APIError where e.code == 409 {
            return try await ctx.client.get(Self.jobs, namespace: ns, name: jobName)
        }
    }

    func prune(_ finished: [JSON], keep: Int, ns: String, _ ctx: ControllerContext) async throws {
        guard finished.count > keep else { return }
        // Scheduled time first: creation timestamps have whole-second resolution and tie.
        func age(_ j: JSON) -> (String, String, String) {
            (j[path: ["metadata", "annotations", Self.scheduledAnnotation]]?.string ?? "",
             j[path: ["metadata", "creationTimestamp"]]?.string ?? "", j[path: ["metadata", "name"]]?.string ?? "")
        }
        let oldestFirst = finished.sorted { age($0) < age($1) }
        for j in oldestFirst.prefix(finished.count - keep) {
            do { try await ctx.client.delete(Self.jobs, namespace: ns, name: j[path: ["metadata", "name"]]?.string ?? "", propagationPolicy: "Background") }
            catch let e as APIError where e.code == 404 {}
        }
    }
}
