#if canImport(Glibc)
import Glibc
#endif
import CEdgeBoards

/// Runs a helper program to completion (mtools, debugfs, xz, ip, iptables, systemd-analyze),
/// collecting its output. Arguments go to the program directly, never through a shell.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var output: String { String(decoding: stdout, as: UTF8.self) }
        public var errorText: String { String(decoding: stderr, as: UTF8.self) }
        public var succeeded: Bool { status == 0 }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `argv[0]` is looked up in PATH. `input` is written to its stdin (then closed). With
    /// `stdoutFile`, its output goes to that file (created 0600) instead of memory: for gigabytes
    /// (an unpacked disk image).
    public static func run(_ argv: [String], input: [UInt8] = [], environment: [String: String] = [:], stdoutFile: String? = nil) throws -> Result {
        precondition(!argv.isEmpty)
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard cloexecPipe(&inPipe), cloexecPipe(&outPipe), cloexecPipe(&errPipe) else {
            throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        if let stdoutFile {
            posix_spawn_file_actions_addopen(&actions, 1, stdoutFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        }
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var env: [String] = []
        var i = 0
        // Through C: Swift's Glibc module for armv7 does not export `environ`.
        let current = edge_environment()
        while let e = current?[i] {
            let s = String(cString: e)
            let key = String(s.prefix { $0 != "=" })
            if environment[key] == nil { env.append(s) }
            i += 1
        }
        for (k, v) in environment { env.append(k + "=" + v) }
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, &cArgs, &cEnv)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(rc)))")
        }
        // Feed stdin and drain both outputs together, so no pipe fills while another is awaited.
        var pending = input[...]
        var inFD: Int32 = inPipe[1]
        if pending.isEmpty { close(inFD); inFD = -1 } else { _ = fcntl(inFD, F_SETFL, O_NONBLOCK) }
        var out: [UInt8] = [], err: [UInt8] = []
        var open = [outPipe[0], errPipe[0]]
        var buf = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || inFD >= 0 {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue }; break }
            for f in fds where f.revents != 0 {
                if f.fd == inFD {
                    let n = pending.withUnsafeBytes { Glibc.write(inFD, $0.baseAddress, $0.count) }
                    if n > 0 { pending = pending.dropFirst(n) }
                    if pending.isEmpty || (n < 0 && errno != EAGAIN && errno != EINTR) { close(inFD); inFD = -1 }
                    continue
                }
                let n = buf.withUnsafeMutableBytes { read(f.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if f.fd == outPipe[0] { out += buf[0..<n] } else { err += buf[0..<n] }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(f.fd)
                    open.removeAll { $0 == f.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, stdout: out, stderr: err)
    }

    /// Runs and returns stdout, or throws with the program's own message.
    @discardableResult
    public static func check(_ argv: [String], input: [UInt8] = [], what: String? = nil) throws -> String {
        let r = try run(argv, input: input)
        guard r.succeeded else {
            let message = (r.errorText.isEmpty ? r.output : r.errorText).trimmingSpaces.split(separator: "\n").suffix(5).joined(separator: "\n")
            throw Failure(description: "\(what ?? "`" + argv.joined(separator: " ") + "`") failed (exit \(r.status)): \(message)")
        }
        return r.output
    }

    /// A pipe whose ends other children do not inherit (Glibc's module map hides pipe2).
    static func cloexecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// Whether a program is on PATH.
    public static func available(_ program: String) -> Bool {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").contains { access($0 + "/" + program, X_OK) == 0 }
    }
}
