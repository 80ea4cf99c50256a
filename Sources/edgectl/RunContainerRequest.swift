import EdgeRuntime

/// What `edgectl run-container` was asked to run, and running it. Kept apart from the
/// command's flag definitions so the start-up fast path (`Edgectl.main`) can fill it
/// from plain arguments without the argument parser.
struct RunContainerRequest {
    var rootfs = ""
    var hostname = "container"
    var cgroup: String?
    var memory: Int64 = 0
    var pids: Int64 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
    var unconfined = false
    var args: [String] = []

    struct StartFailure: Error, CustomStringConvertible { let description: String }

    /// The request when `arguments` use only the plain `--flag value` forms with valid
    /// values and a command after `--`; nil for anything else (help, `--flag=value`, a
    /// mistake), which then goes through the argument parser and its messages.
    static func quickParse(_ arguments: ArraySlice<String>) -> RunContainerRequest? {
        var r = RunContainerRequest()
        var i = arguments.startIndex
        while i < arguments.endIndex {
            let flag = arguments[i]
            if flag == "--" {
                r.args = Array(arguments[(i + 1)...])
                return r.rootfs.isEmpty || r.args.isEmpty ? nil : r
            }
            if flag == "--unconfined" { r.unconfined = true; i += 1; continue }
            guard i + 1 < arguments.endIndex else { return nil }
            let value = arguments[i + 1]
            switch flag {
            case "--rootfs": r.rootfs = value
            case "--hostname": r.hostname = value
            case "--cgroup": r.cgroup = value
            case "--memory": guard let v = Int64(value) else { return nil }; r.memory = v
            case "--pids": guard let v = Int64(value) else { return nil }; r.pids = v
            case "--uid": guard let v = UInt32(value) else { return nil }; r.uid = v
            case "--gid": guard let v = UInt32(value) else { return nil }; r.gid = v
            default: return nil
            }
            i += 2
        }
        return nil
    }

    /// Starts the container in the foreground and waits: its exit code, or 128+signal.
    func run() throws -> Int32 {
        var spec = ContainerSpec(rootfs: rootfs, args: args, hostname: hostname)
        spec.stdio = [0, 1, 2]
        spec.cgroup = cgroup
        spec.limits.memoryBytes = memory
        spec.limits.pids = pids
        spec.uid = uid
        spec.gid = gid
        spec.seccompRuntimeDefault = !unconfined
        let pid: Int32
        do { pid = try ContainerRunner.start(spec) } catch { throw StartFailure(description: "failed to start the container: \(error)") }
        let exit = ContainerRunner.wait(pid)
        if let cgroup { ContainerRunner.removeCgroup(cgroup) }
        switch exit {
        case .exited(let code): return code
        case .signaled(let sig): return 128 + sig
        }
    }
}
