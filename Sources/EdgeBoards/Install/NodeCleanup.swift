#if canImport(Glibc)
import Glibc
#endif

/// `edgectl killall`'s work (k3s-killall.sh's role), limited to given data dirs: stop the server or
/// agent running on them, every container of their pods and the containers' supervisors, unmount
/// everything under the dirs (container roots, volumes, pods' network namespaces), remove the
/// pods' cgroups; with `network`, remove edgectl's interfaces and iptables chains in this namespace.
public struct NodeCleanup: Sendable {
    public var dataDirs: [String]
    public var network: Bool
    public var log: @Sendable (String) -> Void

    public init(dataDirs: [String], network: Bool, log: @escaping @Sendable (String) -> Void) {
        self.dataDirs = dataDirs.map { Self.realPath($0) }
        self.network = network
        self.log = log
    }

    public struct Outcome: Sendable {
        public var stoppedDaemons = 0, killedContainers = 0, stoppedSupervisors = 0, unmounted = 0, removedCgroups = 0
        public var network: [String] = []
        public var problems: [String] = []
    }

    static func realPath(_ p: String) -> String {
        guard let r = realpath(p, nil) else { return EdgectlProcesses.normalized(p) }
        defer { free(r) }
        return String(cString: r)
    }

    public func run() -> Outcome {
        var o = Outcome()
        // 1. The server or agent first, so nothing restarts containers while they are stopped.
        let found = EdgectlProcesses.find(ProcessTable.list(), dataDirs: dataDirs, selfPID: getpid())
        o.stoppedDaemons = stop(found.daemons, grace: 10)
        // 2. Every container: its init's pid from state.json (checked against its start time), then
        //    anything still in the pods' cgroups.
        let pods = podDirectories()
        for state in stateFiles(pods) {
            guard let pid = state.pid, ProcessTable.alive(pid, startTicks: state.startTicks) else { continue }
            if kill(pid, SIGKILL) == 0 { o.killedContainers += 1 }
        }
        let cgroups = CgroupCleanup(podUIDs: pods.map { String($0.split(separator: "/").last ?? "") })
        o.killedContainers += cgroups.killProcesses()
        // 3. Supervisors end when their container does; any left (a hung one) are stopped.
        o.stoppedSupervisors = stop(found.supervisors, grace: 5)
        let late = EdgectlProcesses.find(ProcessTable.list(), dataDirs: dataDirs, selfPID: getpid())
        o.stoppedSupervisors += stop(late.supervisors + late.daemons, grace: 2)
        // 4. Mounts, deepest first.
        let mounts = MountTable.mounts(under: dataDirs)
        for m in mounts {
            if umount2(m, Int32(MNT_DETACH)) == 0 { o.unmounted += 1 } else { o.problems.append("cannot unmount \(m): \(String(cString: strerror(errno)))") }
        }
        // 5. Cgroups, once empty.
        let removed = cgroups.remove()
        o.removedCgroups = removed.removed
        o.problems += removed.problems
        // 6. Network.
        if network {
            let n = NetworkCleanup.run()
            o.network = n.removed
            o.problems += n.failed.map { "cannot remove \($0)" }
        }
        return o
    }

    /// SIGTERM, up to `grace` seconds, then SIGKILL; returns how many were running.
    func stop(_ processes: [ProcessInfo], grace: Int) -> Int {
        let live = processes.filter { ProcessTable.alive($0.pid, startTicks: $0.startTicks) }
        for p in live {
            log("stopping \(p.arguments.prefix(3).joined(separator: " ")) (pid \(p.pid))")
            kill(p.pid, SIGTERM)
        }
        var waited = 0
        while waited < grace * 10 && live.contains(where: { ProcessTable.alive($0.pid, startTicks: $0.startTicks) }) {
            usleep(100_000)
            waited += 1
        }
        for p in live where ProcessTable.alive(p.pid, startTicks: p.startTicks) { kill(p.pid, SIGKILL) }
        return live.count
    }

    /// <data>/pods/UID for an agent's data dir, <data>/agent/pods/UID for a server's local agent.
    func podDirectories() -> [String] {
        let root = HostRoot("/")
        var out: [String] = []
        for d in dataDirs {
            for base in [d + "/pods", d + "/agent/pods", d + "/server/agent/pods"] where root.isDirectory(base) {
                for uid in root.list(base) where root.isDirectory(base + "/" + uid) && !out.contains(base + "/" + uid) {
                    out.append(base + "/" + uid)
                }
            }
        }
        return out
    }

    struct ContainerState { var pid: Int32?; var startTicks: UInt64 }

    /// state.json of every container instance: pods/UID/containers/NAME/ATTEMPT/state.json.
    func stateFiles(_ pods: [String]) -> [ContainerState] {
        let root = HostRoot("/")
        var out: [ContainerState] = []
        for pod in pods {
            for name in root.list(pod + "/containers") {
                for attempt in root.list(pod + "/containers/" + name) {
                    guard let text = root.read(pod + "/containers/\(name)/\(attempt)/state.json", limit: 65536) else { continue }
                    out.append(ContainerState(pid: Self.number("pid", text).flatMap { Int32(exactly: $0) },
                                              startTicks: Self.number("startTicks", text).flatMap { UInt64(exactly: $0) } ?? 0))
                }
            }
        }
        return out
    }

    /// A top-level integer field of a small JSON object (state.json), without a full parse.
    static func number(_ key: String, _ json: String) -> Int64? {
        guard let r = json.range(ofLiteral: "\"\(key)\":") else { return nil }
        let digits = json[r.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }
        return Int64(digits)
    }
}

extension String {
    /// The first occurrence of `needle` (no Foundation).
    func range(ofLiteral needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
