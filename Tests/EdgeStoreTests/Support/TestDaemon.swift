#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// A datastore process a test starts (etcd, PostgreSQL) and always stops: stdout and stderr go to a
/// log file in its directory, shown when it fails to come up.
final class TestDaemon {
    let name: String
    let logPath: String
    private(set) var pid: pid_t = 0

    init(name: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        try start(arguments)
    }

    private func start(_ arguments: [String]) throws {
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addopen(&fa, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&fa, 1, 2)
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?] = Self.inheritedEnvironment().map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var p: pid_t = 0
        let rc = posix_spawnp(&p, arguments[0], &fa, nil, &argv, &envp)
        guard rc == 0 else { throw TestDaemonError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        pid = p
    }

    /// The test process's environment, from /proc: Swift's Glibc module for armv7 (the board
    /// unit tests) does not export `environ`.
    private static func inheritedEnvironment() -> [String] {
        (fileBytes("/proc/self/environ") ?? []).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A whole file through stdio (/proc files report size 0), nil when it cannot be opened.
    private static func fileBytes(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes += buf[0..<n]
        }
        return bytes
    }

    /// Restarts it with `arguments` (after `stop`).
    func restart(_ arguments: [String]) throws {
        try start(arguments)
    }

    var isRunning: Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    func kill(signal: Int32 = SIGKILL) {
        guard pid > 0 else { return }
        Glibc.kill(pid, signal)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    func stop() { kill(signal: SIGTERM) }

    var log: String {
        String(decoding: (Self.fileBytes(logPath) ?? []).suffix(4000), as: UTF8.self)
    }

    deinit { if pid > 0 { kill() } }
}

struct TestDaemonError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum TestEnvironment {
    static func tempDir(_ tag: String) -> String {
        var template = Array("/tmp/edgectl-\(tag)-XXXXXX".utf8CString)
        return String(cString: mkdtemp(&template))
    }

    static func remove(_ dir: String) { _ = system("rm -rf '\(dir)'") }

    /// A TCP port on loopback nobody listens on now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    /// The first of `candidates` that exists and is executable.
    static func executable(_ candidates: [String]) -> String? {
        candidates.first { access($0, X_OK) == 0 }
    }

    /// The pids whose working directory is `directory` (from /proc).
    static func processes(inDirectory directory: String) -> [pid_t] {
        guard let d = opendir("/proc") else { return [] }
        defer { closedir(d) }
        var found: [pid_t] = []
        var buf = [CChar](repeating: 0, count: 4096)
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard let pid = pid_t(name) else { continue }
            let n = readlink("/proc/\(name)/cwd", &buf, buf.count - 1)
            guard n > 0 else { continue }
            if String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) == directory { found.append(pid) }
        }
        return found
    }

    static func run(_ command: String) -> Int32 {
        let rc = system(command)
        return rc == -1 ? -1 : (rc >> 8) & 0xff
    }
}
