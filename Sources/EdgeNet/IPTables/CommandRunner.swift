#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn with three pipes, fed and drained with poll(2) so a large
/// restore input and a chatty error output never block each other.
public struct CommandRunner: CommandRunning {
    /// Where programs are looked for: the agent may start with a minimal PATH (systemd).
    public static let searchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    public init() {}

    /// A tool that exits before reading all its input must not kill the agent with SIGPIPE.
    static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The absolute path of a program, or nil.
    public static func locate(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let fromEnv = (getenv("PATH").map { String(cString: $0) } ?? "").split(separator: ":").map(String.init)
        for dir in fromEnv + searchPath where !dir.isEmpty {
            let p = dir + "/" + program
            if access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    public func run(_ argv: [String], input: String) -> CommandResult? {
        guard let program = argv.first, let path = Self.locate(program) else { return nil }
        _ = Self.ignoreSIGPIPE
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard Self.cloexecPipe(&inPipe) else { return nil }
        guard Self.cloexecPipe(&outPipe) else { close(inPipe[0]); close(inPipe[1]); return nil }
        guard Self.cloexecPipe(&errPipe) else {
            for fd in inPipe + outPipe { close(fd) }
            return nil
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Fixed, predictable output (numbers, messages) whatever the agent's locale.
        var env = ["LC_ALL=C", "PATH=" + (Self.searchPath.joined(separator: ":"))]
        if let xtables = getenv("XTABLES_LOCKFILE") { env.append("XTABLES_LOCKFILE=" + String(cString: xtables)) }
        var pid: pid_t = 0
        let spawned = withCStrings([path] + argv.dropFirst()) { args in
            withCStrings(env) { envp in posix_spawn(&pid, path, &actions, nil, args, envp) }
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard spawned == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            return nil
        }
        let (out, err) = Self.exchange(input: Array(input.utf8), stdin: inPipe[1], stdout: outPipe[0], stderr: errPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return CommandResult(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// A pipe whose ends other children (containers, shims) never inherit.
    static func cloexecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Writes all of input (then closes stdin) while reading both outputs to their end.
    static func exchange(input: [UInt8], stdin: Int32, stdout: Int32, stderr: Int32) -> ([UInt8], [UInt8]) {
        var out: [UInt8] = [], err: [UInt8] = []
        var written = 0
        var inFD: Int32 = stdin, outFD: Int32 = stdout, errFD: Int32 = stderr
        if input.isEmpty { close(inFD); inFD = -1 }
        _ = fcntl(stdin, F_SETFL, fcntl(stdin, F_GETFL) | O_NONBLOCK)
        var buf = [UInt8](repeating: 0, count: 65536)
        while inFD >= 0 || outFD >= 0 || errFD >= 0 {
            var fds = [pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0),
                       pollfd(fd: outFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, 3, -1)
            if n < 0 { if errno == EINTR { continue } else { break } }
            if inFD >= 0, fds[0].revents != 0 {
                let w = input.withUnsafeBytes { p in write(inFD, p.baseAddress! + written, min(p.count - written, 65536)) }
                if w > 0 { written += w } else if w < 0 && errno != EAGAIN && errno != EINTR { written = input.count }
                if written >= input.count { close(inFD); inFD = -1 }
            }
            for (i, isOut) in [(1, true), (2, false)] {
                let fd = isOut ? outFD : errFD
                guard fd >= 0, fds[i].revents != 0 else { continue }
                let r = read(fd, &buf, buf.count)
                if r > 0 {
                    if isOut { out += buf[0..<r] } else { err += buf[0..<r] }
                } else if r == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fd)
                    if isOut { outFD = -1 } else { errFD = -1 }
                }
            }
        }
        if inFD >= 0 { close(inFD) }
        return (out, err)
    }
}

/// argv/envp arrays for posix_spawn, valid for the duration of body.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies + [nil])
}
