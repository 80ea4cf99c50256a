import EdgeAPI
import EdgeClient
import EdgeNet
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

extension PodManager {
    func sync(_ key: String) async throws {
        let pod = informer.get(key)
        let uid = pod?[path: ["metadata", "uid"]]?.string
        // Local pods under this name that the API no longer has (deleted, or replaced by a new uid) go now.
        let stale = local.withLock { $0.values.filter { $0.key == key && $0.uid != uid } }
        for lp in stale { try await teardown(lp) }
        guard let pod, let uid else { return }
        if pod[path: ["metadata", "deletionTimestamp"]] != nil {
            try await terminate(pod, uid: uid)
            return
        }
        let phase = pod[path: ["status", "phase"]]?.string
        if phase == "Succeeded" || phase == "Failed" {
            // Finished for good: nothing restarts, what it held is given back once (resyncs find nothing to do).
            if local.withLock({ $0[uid] != nil }) { await releaseMounts(uid) }
            return
        }
        try await syncPod(pod, uid: uid)
    }

    func paths(_ uid: String) -> PodPaths { PodPaths(podsRoot: podsRoot, uid: uid) }

    func localPod(_ pod: JSON, uid: String) -> LocalPod {
        local.withLock { pods in
            if let p = pods[uid] { return p }
            let p = LocalPod(namespace: pod[path: ["metadata", "namespace"]]?.string ?? "default",
                             name: pod[path: ["metadata", "name"]]?.string ?? "", uid: uid)
            pods[uid] = p
            return p
        }
    }

    func updateLocal(_ uid: String, _ change: (inout LocalPod) -> Void) {
        local.withLock { if var p = $0[uid] { change(&p); $0[uid] = p } }
    }

    /// The pod's network namespace, /etc/hosts and volumes, made once.
    func ensureSandbox(_ pod: JSON, uid: String) async throws {
        guard !(local.withLock { $0[uid]?.sandboxReady ?? false }) else {
            try await refreshTokensIfDue(pod, uid: uid)
            return
        }
        let p = paths(uid)
        try PosixFile.makeDirectories(p.root, mode: 0o750)
        try PosixFile.writeJSON(p.metadata, ["namespace": pod[path: ["metadata", "namespace"]] ?? "", "name": pod[path: ["metadata", "name"]] ?? "",
                                             "uid": .string(uid)])
        if !NetworkNamespace.exists(at: p.networkNamespace) {
            if pod[path: ["spec", "hostNetwork"]]?.bool == true {
                try HostNetwork.bind(at: p.networkNamespace)
            } else {
                try NetworkNamespace.create(at: p.networkNamespace)
            }
        }
        try await ensurePodNetwork(pod, uid: uid)
        try await writeDNSFiles(pod, uid: uid)
        try PosixFile.write(p.etcHostname, Array((PodHostname.hostname(pod) + "\n").utf8))
        let objects = PodObjects(client: client, namespace: pod[path: ["metadata", "namespace"]]?.string ?? "default")
        let volumes: [String: VolumeBuilder.Prepared]
        do {
            volumes = try await VolumeBuilder(paths: p, objects: objects, hostIP: config.hostIP, podIP: podIP(pod),
                                              allocatable: config.allocatable).prepare(pod)
        } catch {
            await events.record(pod, type: "Warning", reason: "FailedMount", message: "MountVolume.SetUp failed: \(error)")
            throw error
        }
        let due = VolumeBuilder.tokenRefreshSeconds(pod).map { ContinuousClock.now + .seconds($0) }
        updateLocal(uid) { $0.sandboxReady = true; $0.volumes = volumes; $0.tokensDue = due }
    }

    /// Renews the pod's projected service account tokens once 80 % of their life has gone; a failure
    /// is logged and retried at the next sync, while the old token is still valid.
    func refreshTokensIfDue(_ pod: JSON, uid: String) async throws {
        guard let due = local.withLock({ $0[uid]?.tokensDue }), ContinuousClock.now >= due else { return }
        let objects = PodObjects(client: client, namespace: pod[path: ["metadata", "namespace"]]?.string ?? "default")
        do {
            try await VolumeBuilder(paths: paths(uid), objects: objects, hostIP: config.hostIP, podIP: podIP(pod),
                                    allocatable: config.allocatable).refreshTokens(pod)
            let next = VolumeBuilder.tokenRefreshSeconds(pod).map { ContinuousClock.now + .seconds($0) }
            updateLocal(uid) { $0.tokensDue = next }
        } catch {
            logger.warning("pod \(pod[path: ["metadata", "namespace"]]?.string ?? "")/\(pod[path: ["metadata", "name"]]?.string ?? ""): renewing its service account token failed: \(error)")
            updateLocal(uid) { $0.tokensDue = ContinuousClock.now + .seconds(10) }
        }
    }

    /// observe(), but an instance whose start never reported (no state.json, no exit.json) is discarded first:
    /// the agent stopped between making its directory and the shim's answer, nothing ran, and the attempt is made
    /// again. Starts are serial per pod, so none of this pod's is under way; a shim launched just before the agent
    /// stopped reports within moments, hence the minute's wait when config.json exists.
    func observeDiscardingUnfinishedStart(_ c: JSON, uid: String) -> ContainerObservation {
        let o = observe(c, uid: uid)
        guard let cur = o.current, !cur.reported else { return o }
        var st = stat()
        if stat(Shim.configPath(cur.dir), &st) == 0, time(nil) - st.st_mtim.tv_sec < 60 { return o }
        OverlayRootfs.unmount(in: cur.dir)
        PosixFile.removeTree(cur.dir)
        return observe(c, uid: uid)
    }

    /// The newest two instances of a container from its directory.
    func observe(_ c: JSON, uid: String) -> ContainerObservation {
        let name = c["name"]?.string ?? ""
        let attempts = PosixFile.list(paths(uid).containers(name)).compactMap { Int($0) }.sorted()
        var o = ContainerObservation(name: name, image: c["image"]?.string ?? "", podUID: uid)
        if let last = attempts.last {
            o.attempt = last
            o.current = ContainerRecord.read(paths(uid).container(name, attempt: last))
            if let prev = attempts.dropLast().last { o.previous = ContainerRecord.read(paths(uid).container(name, attempt: prev)) }
        }
        let lp = local.withLock { $0[uid] }
        o.imageID = lp?.imageIDs[name] ?? ""
        if !o.running { o.waiting = lp?.waiting[name] }
        return o
    }

    func syncPod(_ pod: JSON, uid: String) async throws {
        let key = Informer.key(pod)
        _ = localPod(pod, uid: uid)
        let policy = pod[path: ["spec", "restartPolicy"]]?.string ?? "Always"
        var sandboxError: String?
        do { try await ensureSandbox(pod, uid: uid) } catch { sandboxError = "\(error)" }

        if sandboxError == nil {
            var initDone = true
            for c in pod[path: ["spec", "initContainers"]]?.array ?? [] {
                let o = observeDiscardingUnfinishedStart(c, uid: uid)
                if o.exitedOK { continue }
                initDone = false
                if o.running { break }
                if o.current == nil { await start(pod, c, uid: uid, attempt: 0); break }
                if policy != "Never" { await restartWhenDue(pod, c, o, uid: uid) }
                break
            }
            if initDone {
                for c in pod[path: ["spec", "containers"]]?.array ?? [] {
                    let o = observeDiscardingUnfinishedStart(c, uid: uid)
                    if o.running {
                        let id = "\(uid)/\(o.name)/\(o.attempt)"
                        // Probing resumes for containers adopted after an agent restart.
                        if !probes.isProbing(id), let dir = o.current?.dir, let runner = probeRunner(pod, c, uid: uid, dir: dir) {
                            probes.ensure(id, podKey: key, container: c, runner: runner)
                        }
                        if let why = probes.result(id, container: c).failedProbe {
                            await kill(pod, o, uid: uid, grace: grace(pod), reason: why)
                        }
                        continue
                    }
                    if o.current == nil { await start(pod, c, uid: uid, attempt: 0); continue }
                    if policy == "Always" || (policy == "OnFailure" && o.exitedFailed) { await restartWhenDue(pod, c, o, uid: uid) }
                }
            }
        }
        try await writeStatus(pod, uid: uid, sandboxReady: sandboxError == nil)
        if sandboxError != nil { queue.addAfter(key, .seconds(2)) }
    }

    /// Observes every container again, tracks which run, and writes status when it changed.
    func writeStatus(_ pod: JSON, uid: String, sandboxReady: Bool) async throws {
        if local.withLock({ $0[uid]?.evicted != nil }) { return }  // Failed/Evicted is its last status
        let inits = (pod[path: ["spec", "initContainers"]]?.array ?? []).map { observe($0, uid: uid) }
        var regular: [ContainerObservation] = []
        for c in pod[path: ["spec", "containers"]]?.array ?? [] {
            var o = observe(c, uid: uid)
            if o.running {
                let id = "\(uid)/\(o.name)/\(o.attempt)"
                let r = probes.result(id, container: c)
                o.started = r.started
                o.ready = r.started && r.ready
            }
            regular.append(o)
        }
        let runningDirs = Set((inits + regular).compactMap { $0.running ? $0.current?.dir : nil })
        let status = PodStatusBuilder.build(.init(pod: pod, initContainers: inits, containers: regular, hostIP: config.hostIP,
                                                  podIP: podIP(pod), sandboxReady: sandboxReady, now: .now()))
        let last = local.withLock { p -> JSON? in
            p[uid]?.running = runningDirs
            return p[uid]?.lastStatus
        }
        let phase = status["phase"]?.string ?? ""
        if phase == "Succeeded" || phase == "Failed" { await releaseMounts(uid) }
        guard status != last else { return }
        _ = try await client.mergePatch(Self.pods, namespace: pod[path: ["metadata", "namespace"]]?.string, name: pod[path: ["metadata", "name"]]?.string ?? "",
                                        ["status": status], subresource: "status")
        updateLocal(uid) { $0.lastStatus = status }
    }

    func grace(_ pod: JSON) -> Int64 { pod[path: ["spec", "terminationGracePeriodSeconds"]]?.int ?? 30 }

    /// Restarts an exited container once its crash-loop delay has passed; until then it waits in CrashLoopBackOff.
    func restartWhenDue(_ pod: JSON, _ c: JSON, _ o: ContainerObservation, uid: String) async {
        let now = ContinuousClock.now
        let ran: Duration = {
            guard let s = o.current?.startedAt.flatMap(Timestamp.init(rfc3339:)), let f = o.current?.exit.flatMap({ Timestamp(rfc3339: $0.finishedAt) }) else { return .zero }
            return .seconds(max(0, f.seconds - s.seconds))
        }()
        let plan = local.withLock { pods -> (at: ContinuousClock.Instant, delay: Duration) in
            var p = pods[uid]!
            if let r = p.restartAt[o.name], r.attempt == o.attempt { return (r.at, r.delay) }
            var b = p.backoff[o.name] ?? RestartBackoff()
            let d = b.next(ran: ran)
            p.backoff[o.name] = b
            p.restartAt[o.name] = (o.attempt, now + d, d)
            pods[uid] = p
            return (now + d, d)
        }
        if now >= plan.at {
            await start(pod, c, uid: uid, attempt: o.attempt + 1)
            return
        }
        let ns = pod[path: ["metadata", "namespace"]]?.string ?? ""
        let message = "back-off \(plan.delay.components.seconds)s restarting failed container=\(o.name) pod=\(pod[path: ["metadata", "name"]]?.string ?? "")_\(ns)(\(uid))"
        let first = local.withLock { $0[uid]?.waiting[o.name]?.reason != "CrashLoopBackOff" }
        updateLocal(uid) { $0.waiting[o.name] = ("CrashLoopBackOff", message) }
        if first { await events.record(pod, type: "Warning", reason: "BackOff", message: "Back-off restarting failed container \(o.name) in pod \(pod[path: ["metadata", "name"]]?.string ?? "")_\(ns)(\(uid))") }
        queue.addAfter(Informer.key(pod), plan.at - now)
    }
}
