import EdgeAPI
import EdgeClient
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

extension PodManager {
    /// The image per imagePullPolicy; failures leave the container waiting in ErrImagePull / ImagePullBackOff.
    func ensureImage(_ pod: JSON, _ c: JSON, uid: String, objects: PodObjects) async -> PodImage? {
        let name = c["name"]?.string ?? ""
        let ref = c["image"]?.string ?? ""
        let policy = c["imagePullPolicy"]?.string ?? "IfNotPresent"
        if policy != "Always", let img = images.present(ref) { return img }
        if policy == "Never" {
            updateLocal(uid) { $0.waiting[name] = ("ErrImageNeverPull", "Container image \"\(ref)\" is not present with pull policy of Never") }
            await events.record(pod, type: "Warning", reason: "ErrImageNeverPull", message: "Container image \"\(ref)\" is not present with pull policy of Never")
            queue.addAfter(Informer.key(pod), .seconds(10))
            return nil
        }
        if let last = local.withLock({ $0[uid]?.waiting[name] }), last.reason == "ImagePullBackOff" || last.reason == "ErrImagePull",
           let r = local.withLock({ $0[uid]?.restartAt["pull:" + name] }), ContinuousClock.now < r.at {
            // Upstream's wording: the back-off message carries the error that caused it (an auth failure, a missing tag).
            let message = last.reason == "ErrImagePull" ? "Back-off pulling image \"\(ref)\": ErrImagePull: \(last.message)" : last.message
            updateLocal(uid) { $0.waiting[name] = ("ImagePullBackOff", message) }
            queue.addAfter(Informer.key(pod), r.at - ContinuousClock.now)
            return nil
        }
        await events.record(pod, reason: "Pulling", message: "Pulling image \"\(ref)\"")
        let began = ContinuousClock.now
        do {
            let credentials = try await pullCredentials(pod, image: ref, objects: objects)
            let img = try await images.pull(ref, credentials: credentials)
            let took = ContinuousClock.now - began
            await events.record(pod, reason: "Pulled", message: "Successfully pulled image \"\(ref)\" in \(took.components.seconds)s")
            updateLocal(uid) { $0.pullBackoff[name] = nil; $0.restartAt["pull:" + name] = nil }
            return img
        } catch {
            // A pull that fails is retried on the crash-loop schedule, as upstream's image back-off.
            let delay = local.withLock { pods -> Duration in
                var b = pods[uid]?.pullBackoff[name] ?? RestartBackoff()
                var d = b.next(ran: .zero)
                if d == .zero { d = .seconds(5) }
                pods[uid]?.pullBackoff[name] = b
                pods[uid]?.restartAt["pull:" + name] = (0, ContinuousClock.now + d, d)
                return d
            }
            updateLocal(uid) { $0.waiting[name] = ("ErrImagePull", "\(error)") }
            imageGC?.requestCheck() // the pull may have run out of disk
            await events.record(pod, type: "Warning", reason: "Failed", message: "Failed to pull image \"\(ref)\": \(error)")
            queue.addAfter(Informer.key(pod), delay)
            return nil
        }
    }

    /// Creates and starts one container instance under its supervisor.
    func start(_ pod: JSON, _ c: JSON, uid: String, attempt: Int) async {
        let name = c["name"]?.string ?? ""
        let key = Informer.key(pod)
        let ns = pod[path: ["metadata", "namespace"]]?.string ?? "default"
        let objects = PodObjects(client: client, namespace: ns)
        guard let image = await ensureImage(pod, c, uid: uid, objects: objects) else { return }
        updateLocal(uid) { $0.imageIDs[name] = image.id }
        let p = paths(uid)
        let spec: ContainerSpec
        let dir = p.container(name, attempt: attempt)
        do {
            let env = try await EnvResolver.resolve(pod: pod, container: c, image: image, objects: objects, hostIP: config.hostIP,
                                                    podIP: podIP(pod), allocatable: config.allocatable)
            try PosixFile.makeDirectories(dir)
            try PosixFile.makeDirectories(p.logs(name))
            // Recorded before mounting, so image GC keeps these layers for as long as the instance's directory exists.
            try ContainerImageRecord(reference: image.reference, layers: image.layers).write(containerDir: dir)
            let rootfs = try OverlayRootfs.mount(layers: image.layers, in: dir)
            let passwd = PosixFile.read(rootfs + "/etc/passwd").map { String(decoding: $0, as: UTF8.self) } ?? ""
            let group = PosixFile.read(rootfs + "/etc/group").map { String(decoding: $0, as: UTF8.self) } ?? ""
            let envMap = Dictionary(env, uniquingKeysWith: { _, last in last })
            spec = try ContainerSpecBuilder.build(.init(pod: pod, container: c, image: image, env: env, rootfs: rootfs,
                                                        mounts: try mounts(pod, c, uid: uid, dir: dir, env: envMap),
                                                        cgroup: p.cgroup(name, attempt: attempt), passwd: passwd, group: group,
                                                        hostCapabilities: ContainerRunner.hostCapabilities))
        } catch {
            // Nothing ran: no attempt is used up, the container waits with the reason.
            OverlayRootfs.unmount(in: dir)
            PosixFile.removeTree(dir)
            updateLocal(uid) { $0.waiting[name] = ("CreateContainerConfigError", "\(error)") }
            imageGC?.requestCheck() // creating the root or its directories may have run out of disk
            let detail = (error as? SubPathRefused).map { "\($0): \($0.detail)" } ?? "\(error)"
            await events.record(pod, type: "Warning", reason: "Failed", message: "Error: \(detail)")
            queue.addAfter(key, .seconds(5))
            return
        }
        var shimConfig = Shim.Config(spec: spec, logPath: p.log(name, attempt: attempt), networkNamespacePath: p.networkNamespace)
        shimConfig.logMaxBytes = config.containerLogMaxBytes
        shimConfig.logMaxFiles = config.containerLogMaxFiles
        let shim = shimConfig
        let exe = config.shimExecutable
        do {
            _ = try await Blocking.run { try Shim.launch(executable: exe, dir: dir, config: shim) }
            updateLocal(uid) { $0.waiting[name] = nil; $0.running.insert(dir) }
            await events.record(pod, reason: "Created", message: "Created container: \(name)")
            await events.record(pod, reason: "Started", message: "Started container \(name)")
            if let runner = probeRunner(pod, c, uid: uid, dir: dir) {
                probes.ensure("\(uid)/\(name)/\(attempt)", podKey: key, container: c, runner: runner)
            }
        } catch {
            if !PosixFile.exists(Shim.exitPath(dir)) { Shim.recordStartError(dir, "\(error)") }
            imageGC?.requestCheck() // the supervisor's files may not have fit
            updateLocal(uid) { $0.waiting[name] = nil }
            await events.record(pod, type: "Warning", reason: "Failed", message: "Error: failed to start container \"\(name)\": \(error)")
        }
        queue.add(key)
    }

    func probeRunner(_ pod: JSON, _ c: JSON, uid: String, dir: String) -> ProbeRunner? {
        guard c["startupProbe"] != nil || c["livenessProbe"] != nil || c["readinessProbe"] != nil else { return nil }
        let execFn: (@Sendable ([String], Duration) async -> (ok: Bool, output: String))?
        if let exec {
            execFn = { [self] cmd, timeout in
                guard let target = execTarget(dir: dir) else { return (false, "container is not running") }
                return await exec(ExecRequest(target: target, command: cmd, timeout: timeout))
            }
        } else {
            execFn = nil
        }
        return ProbeRunner(netnsPath: paths(uid).networkNamespace, ports: namedPorts(c), exec: execFn)
    }

    /// A container's named ports, which probes and hooks may refer to.
    func namedPorts(_ c: JSON) -> [String: Int] {
        var ports: [String: Int] = [:]
        for p in c["ports"]?.array ?? [] { if let n = p["name"]?.string, let v = p["containerPort"]?.int, (1...65535).contains(v) { ports[n] = Int(v) } }
        return ports
    }

    /// Volume mounts, the managed /etc/hosts and the termination message file. Targets are paths inside the
    /// container that the runtime resolves inside its root; a subPath is checked (and made) here, inside its
    /// volume, and resolved again by the runtime when it mounts, so a symlink planted in between cannot lead out.
    func mounts(_ pod: JSON, _ c: JSON, uid: String, dir: String, env: [String: String] = [:]) throws -> [ContainerSpec.Mount] {
        let volumes = local.withLock { $0[uid]?.volumes } ?? [:]
        let cname = c["name"]?.string ?? ""
        var out: [ContainerSpec.Mount] = []
        var targets = Set<String>()
        for m in c["volumeMounts"]?.array ?? [] {
            let vname = m["name"]?.string ?? ""
            guard let v = volumes[vname], let target = m["mountPath"]?.string else {
                throw VolumeBuilder.VolumeError(description: "volumeMount \(vname) refers to no volume of the pod")
            }
            var subPath = m["subPath"]?.string ?? ""
            if subPath.isEmpty, let expr = m["subPathExpr"]?.string, !expr.isEmpty { subPath = ContainerCommand.expand(expr, env) }
            if !subPath.isEmpty {
                // The API refuses these; an object stored before it did reaches the agent unchecked.
                if let problem = LocalPathRules.descendingProblem(subPath) {
                    throw SubPathRefused(volumeMount: vname, container: cname, detail: "subPath \"\(subPath)\" \(problem)")
                }
                do { try SafePath.prepareSubPath(subPath, inVolume: v.path) } catch let e as SafePath.Failure {
                    let why = e.errno == EXDEV ? "leads out of the volume" : String(cString: strerror(e.errno))
                    throw SubPathRefused(volumeMount: vname, container: cname, detail: "subPath \"\(subPath)\" \(why)")
                }
            }
            out.append(.init(source: v.path, subPath: subPath.isEmpty ? nil : subPath, target: target,
                             readOnly: v.readOnly || (m["readOnly"]?.bool ?? false)))
            targets.insert(target)
        }
        // As containerd does: every container sees the pod's hosts file and resolv.conf (unless a volume is mounted there).
        let p = paths(uid)
        if !targets.contains("/etc/hosts") { out.append(.init(source: p.etcHosts, target: "/etc/hosts")) }
        if !targets.contains("/etc/resolv.conf") && PosixFile.exists(p.resolvConf) {
            out.append(.init(source: p.resolvConf, target: "/etc/resolv.conf"))
        }
        let termination = dir + "/termination-log"
        let fd = open(termination, O_CREAT | O_WRONLY | O_CLOEXEC, 0o666)
        if fd >= 0 { fchmod(fd, 0o666); close(fd) }
        let tpath = c["terminationMessagePath"]?.string ?? "/dev/termination-log"
        if !targets.contains(tpath) { out.append(.init(source: termination, target: tpath)) }
        return out
    }
}
