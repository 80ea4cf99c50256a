import CEdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Starts a process inside a running container (`kubectl exec`): the
/// container's namespaces, cgroup, identity, capabilities and seccomp profile,
/// as the C core sets them. The process is a child of this process.
public enum ContainerExec {
    public struct Spec: Sendable {
        /// Host pid of the container's init.
        public var containerPID: Int32
        public var args: [String]
        public var env: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        public var workingDir = "/"
        public var uid: UInt32 = 0
        public var gid: UInt32 = 0
        public var supplementalGroups: [UInt32] = []
        public var capabilities: Set<Int> = ContainerSpec.defaultCapabilities
        public var seccompRuntimeDefault = true
        /// The container's relative cgroup path; nil: the process stays in the caller's cgroup.
        public var cgroup: String?
        /// A terminal: stdin, stdout and stderr are one pty (stderr merges into stdout).
        public var tty = false
        public var stdin = false
        public var stdout = true
        public var stderr = true

        public init(containerPID: Int32, args: [String]) {
            self.containerPID = containerPID
            self.args = args
        }
    }

    /// A started process and this side's descriptors (all close-on-exec; the
    /// caller owns and closes them). With a tty, `terminal` is the pty master
    /// and the pipes are nil; without, a pipe end per stream asked for.
    public struct Process: Sendable {
        public let pid: Int32
        public let stdin: Int32?
        public let stdout: Int32?
        public let stderr: Int32?
        public let terminal: Int32?

        /// Sets the terminal's size (no-op without a tty).
        public func resize(columns: UInt16, rows: UInt16) {
            if let terminal { _ = edge_pty_resize(terminal, columns, rows) }
        }
    }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    public static func start(_ spec: Spec) throws -> Process {
        guard !spec.args.isEmpty else { throw Failure(description: "a command is required") }
        var owned: [UnsafeMutablePointer<CChar>] = []
        var childEnds: [Int32] = []
        var ourEnds: [Int32] = []
        defer {
            owned.forEach { free($0) }
            childEnds.forEach { close($0) }
        }
        func c(_ s: String) -> UnsafePointer<CChar> {
            let p = strdup(s)!
            owned.append(p)
            return UnsafePointer(p)
        }
        /// A close-on-exec pipe; returns (ours, child's) ends for the direction asked.
        func pipeFor(childReads: Bool) throws -> (Int32, Int32) {
            var fds: [Int32] = [-1, -1]
            guard edge_pipe_cloexec(&fds) == 0 else {
                ourEnds.forEach { close($0) }
                throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
            }
            let (ours, theirs) = childReads ? (fds[1], fds[0]) : (fds[0], fds[1])
            ourEnds.append(ours)
            childEnds.append(theirs)
            return (ours, theirs)
        }
        var stdio: (Int32, Int32, Int32) = (-1, -1, -1)
        var hostIn: Int32?, hostOut: Int32?, hostErr: Int32?
        if !spec.tty {
            if spec.stdin { let p = try pipeFor(childReads: true); hostIn = p.0; stdio.0 = p.1 }
            if spec.stdout { let p = try pipeFor(childReads: false); hostOut = p.0; stdio.1 = p.1 }
            if spec.stderr { let p = try pipeFor(childReads: false); hostErr = p.0; stdio.2 = p.1 }
        }
        let argv: [UnsafePointer<CChar>?] = spec.args.map(c) + [nil]
        let envp: [UnsafePointer<CChar>?] = spec.env.map(c) + [nil]
        var caps: UInt64 = 0
        for n in spec.capabilities where n >= 0 && n < 64 { caps |= 1 << UInt64(n) }
        var pid: pid_t = 0
        var master: Int32 = -1
        var err = [CChar](repeating: 0, count: 1024)
        let groups = spec.supplementalGroups
        let rc = argv.withUnsafeBufferPointer { av in
            envp.withUnsafeBufferPointer { ev in
                groups.withUnsafeBufferPointer { gv in
                    var e = edge_exec()
                    e.target = spec.containerPID
                    e.argv = av.baseAddress
                    e.envp = ev.baseAddress
                    e.cwd = c(spec.workingDir)
                    e.uid = spec.uid
                    e.gid = spec.gid
                    e.groups = gv.baseAddress
                    e.ngroups = Int32(gv.count)
                    e.capabilities = caps
                    e.seccomp_default = spec.seccompRuntimeDefault ? 1 : 0
                    e.cgroup = spec.cgroup.map(c)
                    e.tty = spec.tty ? 1 : 0
                    e.stdio = stdio
                    return err.withUnsafeMutableBufferPointer { edge_exec_start(&e, &pid, &master, $0.baseAddress, $0.count) }
                }
            }
        }
        guard rc == 0 else {
            ourEnds.forEach { close($0) }
            throw Failure(description: String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Process(pid: pid, stdin: hostIn, stdout: hostOut, stderr: hostErr, terminal: spec.tty ? master : nil)
    }

    /// The exit of a process, without blocking: nil while it runs.
    public static func poll(_ pid: Int32) -> ContainerRunner.Exit? {
        var status: Int32 = 0
        var r: pid_t
        repeat { r = waitpid(pid, &status, WNOHANG) } while r < 0 && errno == EINTR
        // Reaped elsewhere (someone waited for any child): it is gone, its status unknown.
        if r < 0 && errno == ECHILD { return .exited(255) }
        guard r == pid else { return nil }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(status & 0x7f)
    }
}
