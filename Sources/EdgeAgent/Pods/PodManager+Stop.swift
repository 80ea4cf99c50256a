import EdgeAPI
import EdgeClient
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

extension PodManager {
    /// SIGTERM now (after the preStop hook), SIGKILL once the grace period is over.
    func kill(_ pod: JSON, _ o: ContainerObservation, uid: String, grace: Int64, reason: String) async {
        guard let record = o.current, record.running else { return }
        let id = "\(o.name)/\(o.attempt)"
        let deadline = local.withLock { $0[uid]?.killDeadlines[id] }
        if let deadline {
            if ContinuousClock.now >= deadline { record.signal(SIGKILL) }
            return
        }
        let until = ContinuousClock.now + .seconds(max(0, grace))
        updateLocal(uid) { $0.killDeadlines[id] = until }
        await events.record(pod, reason: "Killing", message: reason)
        if grace > 0, let c = container(pod, o.name), let hook = c[path: ["lifecycle", "preStop"]] {
            await runPreStop(pod, c, hook, record: record, grace: grace, uid: uid)
        }
        record.signal(grace > 0 ? SIGTERM : SIGKILL)
        // Grace periods are int64 (a pod may ask for centuries): look again at most a day later, the deadline above holds.
        queue.addAfter(Informer.key(pod), .seconds(clamping: grace))
    }

    func container(_ pod: JSON, _ name: String) -> JSON? {
        ((pod[path: ["spec", "initContainers"]]?.array ?? []) + (pod[path: ["spec", "containers"]]?.array ?? [])).first { $0["name"]?.string == name }
    }

    /// preStop: an exec command in the container, or an HTTP GET, bounded by the grace period.
    func runPreStop(_ pod: JSON, _ c: JSON, _ hook: JSON, record: ContainerRecord, grace: Int64, uid: String) async {
        if let cmd = hook[path: ["exec", "command"]]?.array?.compactMap({ $0.string }), let exec, let target = execTarget(dir: record.dir) {
            let r = await exec(ExecRequest(target: target, command: cmd, timeout: .seconds(clamping: grace)))
            if !r.ok {
                await events.record(pod, type: "Warning", reason: "FailedPreStopHook", message: "PreStopHook failed: \(r.output)")
            }
        } else if let h = hook["httpGet"] {
            let runner = ProbeRunner(netnsPath: paths(uid).networkNamespace, ports: namedPorts(c), exec: nil)
            _ = await runner.run(["httpGet": h, "timeoutSeconds": .int(grace)])
        }
    }

    /// A pod marked for deletion: stop its containers within the grace period, clean up, then remove the API object.
    func terminate(_ pod: JSON, uid: String) async throws {
        _ = localPod(pod, uid: uid)
        let grace = pod[path: ["metadata", "deletionGracePeriodSeconds"]]?.int ?? self.grace(pod)
        var anyRunning = false
        for c in (pod[path: ["spec", "initContainers"]]?.array ?? []) + (pod[path: ["spec", "containers"]]?.array ?? []) {
            let o = observe(c, uid: uid)
            guard o.running else { continue }
            anyRunning = true
            await kill(pod, o, uid: uid, grace: grace, reason: "Stopping container \(o.name)")
        }
        if anyRunning {
            queue.addAfter(Informer.key(pod), .milliseconds(500))
            return
        }
        probes.stopAll(prefix: uid + "/")
        try? await writeStatus(pod, uid: uid, sandboxReady: false)
        await cleanup(uid)
        do {
            _ = try await client.delete(Self.pods, namespace: pod[path: ["metadata", "namespace"]]?.string, name: pod[path: ["metadata", "name"]]?.string ?? "",
                                        gracePeriodSeconds: 0, preconditionUID: uid)
        } catch let e as APIError where e.code == 404 || e.code == 409 {
            // Gone already, or a new pod took the name.
        }
    }

    /// A local pod the API no longer has: kill everything at once and forget it.
    func teardown(_ lp: LocalPod) async throws {
        probes.stopAll(prefix: lp.uid + "/")
        let p = paths(lp.uid)
        var dirs: [String] = []
        for name in PosixFile.list(p.root + "/containers") {
            for attempt in PosixFile.list(p.containers(name)) { dirs.append(p.containers(name) + "/" + attempt) }
        }
        for d in dirs { ContainerRecord.read(d).signal(SIGKILL) }
        for _ in 0..<50 where dirs.contains(where: { ContainerRecord.read($0).running }) {
            try? await Task.sleep(for: .milliseconds(100))
        }
        await cleanup(lp.uid)
    }

    /// Unmounts roots and tmpfs volumes, gives back the pod's network and removes its namespace, once its containers all ended.
    func releaseMounts(_ uid: String) async {
        let already = local.withLock { pods -> Bool in
            let done = pods[uid]?.mountsReleased ?? false
            pods[uid]?.mountsReleased = true
            return done
        }
        guard !already else { return }
        let p = paths(uid)
        for name in PosixFile.list(p.root + "/containers") {
            for attempt in PosixFile.list(p.containers(name)) { OverlayRootfs.unmount(in: p.containers(name) + "/" + attempt) }
        }
        let who = local.withLock { $0[uid].map { ($0.namespace, $0.name) } } ?? ("", "")
        await releasePodNetwork(uid, namespace: who.0, name: who.1)
        NetworkNamespace.remove(at: p.networkNamespace)
        updateLocal(uid) { $0.sandboxReady = false; $0.running = [] }
    }

    func cleanup(_ uid: String) async {
        await releaseMounts(uid)
        let p = paths(uid)
        for v in PosixFile.list(p.volumes) { umount2(p.volume(v), Int32(MNT_DETACH)) }
        ContainerRunner.removeCgroup(p.cgroup)
        PosixFile.removeTree(p.root)
        local.withLock { _ = $0.removeValue(forKey: uid) }
    }
}
