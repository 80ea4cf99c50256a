import CEdgeRuntime
import EdgeAPI
#if canImport(Glibc)
import Glibc
#endif

/// The per-container supervisor. The agent writes a container directory
/// (config.json) and launches `edgectl shim DIR` detached; the shim starts
/// the container, writes state.json, reports "ok PID" (or "error MSG") on fd 3,
/// then copies output into the log and writes exit.json when the container ends.
/// Containers therefore survive the agent, and a restarted agent re-reads them.
public enum Shim {
    /// Files in a container directory.
    public static func configPath(_ dir: String) -> String { dir + "/config.json" }
    public static func statePath(_ dir: String) -> String { dir + "/state.json" }
    public static func exitPath(_ dir: String) -> String { dir + "/exit.json" }

    /// The runtime spec a container directory's instance was started with.
    public static func spec(_ dir: String) -> ContainerSpec? {
        PosixFile.readJSON(configPath(dir))?["spec"].flatMap { try? ContainerSpec(json: $0) }
    }

    /// What the shim needs beyond the runtime spec.
    public struct Config: Sendable {
        public var spec: ContainerSpec
        public var logPath: String
        /// The pod's network namespace file; nil: the container gets its own.
        public var networkNamespacePath: String?
        /// Log rotation (kubelet's --container-log-max-size/-files): the log becomes LOG.1 at this size; 0: never.
        public var logMaxBytes: Int64 = 0
        public var logMaxFiles = 5
        public init(spec: ContainerSpec, logPath: String, networkNamespacePath: String?) {
            self.spec = spec
            self.logPath = logPath
            self.networkNamespacePath = networkNamespacePath
        }
    }

    /// Writes config.json and starts the supervisor; returns once the container
    /// runs (its host pid) or failed to start (the shim's message). Blocks briefly.
    public static func launch(executable: String, dir: String, config: Config) throws -> Int32 {
        var j: JSON = ["spec": config.spec.json, "logPath": .string(config.logPath)]
        if let ns = config.networkNamespacePath { j["networkNamespacePath"] = .string(ns) }
        if config.logMaxBytes > 0 { j["logRotation"] = ["maxBytes": .int(config.logMaxBytes), "maxFiles": .int(Int64(config.logMaxFiles))] }
        try PosixFile.writeJSON(configPath(dir), j)
        var p: [Int32] = [0, 0]
        guard edge_pipe_cloexec(&p) == 0 else { throw ContainerRunner.Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        var owned: [UnsafeMutablePointer<CChar>?] = [strdup("edgectl"), strdup("shim"), strdup(dir), nil]
        defer { owned.forEach { free($0) } }
        var shimPid: pid_t = 0
        var err = [CChar](repeating: 0, count: 512)
        let rc = owned.withUnsafeMutableBufferPointer { argv in
            argv.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: argv.count) { av in
                edge_spawn_detached(executable, av, p[1], &shimPid, &err, err.count)
            }
        }
        close(p[1])
        defer { close(p[0]) }
        guard rc == 0 else { throw ContainerRunner.Failure(description: String(cString: err)) }
        var report: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = buf.withUnsafeMutableBytes { read(p[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            report.append(contentsOf: buf[0..<n])
        }
        let text = String(decoding: report, as: UTF8.self).trimmingSuffix("\n")
        if text.hasPrefix("ok "), let pid = Int32(text.dropFirst(3)) { return pid }
        throw ContainerRunner.Failure(description: text.hasPrefix("error ") ? String(text.dropFirst(6))
                                      : "the container supervisor exited without starting the container")
    }

    /// The shim process itself (`edgectl shim DIR`); fd 3 is the report pipe.
    public static func main(dir: String) -> Int32 {
        let report: Int32 = 3
        func say(_ s: String) {
            let bytes = Array(s.utf8)
            _ = bytes.withUnsafeBytes { write(report, $0.baseAddress, $0.count) }
            close(report)
        }
        guard let j = PosixFile.readJSON(configPath(dir)), let specJSON = j["spec"], let logPath = j["logPath"]?.string,
              var spec = try? ContainerSpec(json: specJSON) else {
            say("error \(configPath(dir)) is missing or unreadable")
            return 1
        }
        var out: [Int32] = [0, 0], errp: [Int32] = [0, 0]
        guard edge_pipe_cloexec(&out) == 0, edge_pipe_cloexec(&errp) == 0 else {
            say("error pipe: \(String(cString: strerror(errno)))")
            return 1
        }
        var netFD: Int32 = -1
        if let ns = j["networkNamespacePath"]?.string {
            netFD = open(ns, O_RDONLY | O_CLOEXEC)
            if netFD < 0 {
                recordStartError(dir, "cannot open the pod network namespace \(ns)")
                say("error cannot open the pod network namespace \(ns): \(String(cString: strerror(errno)))")
                return 1
            }
            spec.networkNamespaceFD = netFD
        }
        spec.stdio = [nil, out[1], errp[1]]
        let pid: Int32
        do {
            pid = try ContainerRunner.start(spec)
        } catch {
            recordStartError(dir, "\(error)")
            say("error \(error)")
            return 1
        }
        close(out[1])
        close(errp[1])
        if netFD >= 0 { close(netFD) }
        try? PosixFile.writeJSON(statePath(dir), ["pid": .int(Int64(pid)), "startTicks": .int(Int64(edge_process_start_ticks(pid))),
                                                  "shimPid": .int(Int64(getpid())), "shimStartTicks": .int(Int64(edge_process_start_ticks(getpid()))), "startedAt": .string(Timestamp.now().rfc3339)])
        say("ok \(pid)\n")
        // The C supervisor (shim.c) reads its log rotation from the environment it is exec'd with.
        if let max = j[path: ["logRotation", "maxBytes"]]?.int, let files = j[path: ["logRotation", "maxFiles"]]?.int {
            setenv("EDGECTL_LOG_MAX_SIZE", String(max), 1)
            setenv("EDGECTL_LOG_MAX_FILES", String(files), 1)
        }
        // Become the small C supervisor (shim.c's supervise_entry) for the container's lifetime;
        // should the exec fail, supervise from here instead.
        _ = fcntl(out[0], F_SETFD, 0)
        _ = fcntl(errp[0], F_SETFD, 0)
        let args = ["edgectl", "__supervise", "\(pid)", "\(out[0])", "\(errp[0])", logPath, exitPath(dir), spec.cgroup ?? ""]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        argv.forEach { free($0) }
        let rc = edge_shim_supervise(pid, out[0], errp[0], logPath, exitPath(dir), spec.cgroup)
        if let cg = spec.cgroup { ContainerRunner.removeCgroup(cg) }
        return rc == 0 ? 0 : 1
    }

    /// A container that never ran ends as kubelet reports it: exit code 128, reason StartError.
    public static func recordStartError(_ dir: String, _ message: String) {
        try? PosixFile.writeJSON(exitPath(dir), ["exitCode": 128, "signal": 0, "finishedAt": .string(Timestamp.now().rfc3339),
                                                 "oomKilled": false, "startError": .string(message)])
    }
}

extension String {
    func trimmingSuffix(_ s: String) -> String {
        var out = self
        while out.hasSuffix(s) { out.removeLast(s.count) }
        return out
    }
}
