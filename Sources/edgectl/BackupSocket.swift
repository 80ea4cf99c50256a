import Dispatch
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// `<data-dir>/backup.sock`: how `edgectl backup save` reaches a running server on SQLite. The server's process
/// holds the store alone (its WAL index lives in the process's memory, not in a `-shm` file on the card), so a
/// consistent copy can only be taken inside it. One request a connection: `save NAME\n`, answered with
/// `ok PATH\n` or `error MESSAGE\n`. Only the server's own user (or root) is served: the socket is mode 0600
/// and the peer's uid is checked.
final class BackupSocket: @unchecked Sendable {
    let fd: Int32
    let path: String
    let queue = DispatchQueue(label: "edgectl.backup-socket")

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func path(dataDir: String) -> String { dataDir + "/backup.sock" }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Listens on `<dataDir>/backup.sock` (the server holds the data dir's lock, so a socket left by a dead
    /// server is replaced) and serves each request with `backups`.
    static func listen(dataDir: String, backups: Backups, log: Logger) throws -> BackupSocket {
        let path = path(dataDir: dataDir)
        var addr = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        unlink(path)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        // Mode 0600 before listen: a bound socket that does not listen yet refuses every connection.
        guard bound == 0, chmod(path, 0o600) == 0, Glibc.listen(fd, 4) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot listen on \(path): \(why)")
        }
        let s = BackupSocket(fd: fd, path: path)
        s.queue.async { s.serve(backups, log: log) }
        return s
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        unlink(path)
    }

    private func serve(_ backups: Backups, log: Logger) {
        while true {
            let c = accept(fd, nil, nil)
            if c < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                close(fd)
                return
            }
            _ = fcntl(c, F_SETFD, FD_CLOEXEC)
            let reply: String
            if let uid = Self.peerUID(c), uid == 0 || uid == geteuid() {
                reply = Self.answer(Self.readLine(c, within: .seconds(5)), backups: backups, log: log)
            } else {
                reply = "error only root or the server's user may take backups\n"
            }
            _ = reply.utf8CString.withUnsafeBufferPointer { write(c, $0.baseAddress, $0.count - 1) }
            close(c)
        }
    }

    static func answer(_ line: String?, backups: Backups, log: Logger) -> String {
        guard let line, line.hasPrefix("save "), case let name = String(line.dropFirst(5)), Backups.validName(name) else {
            return "error expected `save NAME` (lower-case letters, digits and '-', at most 64)\n"
        }
        do {
            let path = try backups.saveLocally(name: name)
            log.info("backup written to \(path) (edgectl backup save)")
            return "ok \(path)\n"
        } catch {
            log.error("backup requested through \(path(dataDir: backups.dataDir)) failed: \(error)")
            return "error \(oneLine("\(error)"))\n"
        }
    }

    /// Asks the server on `dataDir` for a snapshot named `name`; its path.
    static func request(dataDir: String, name: String) throws -> String {
        let path = path(dataDir: dataDir)
        var addr = try address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard connected == 0 else {
            throw Failure(description: """
                an edgectl server is running on \(dataDir) but does not answer at \(path) (\(String(cString: strerror(errno)))): \
                the store is open in that server's process only; restart the server with this edgectl version, or stop it \
                and run edgectl backup save again
                """)
        }
        let req = "save \(name)\n"
        _ = req.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        // A large store takes a while to copy.
        guard let reply = readLine(fd, within: .seconds(600)) else { throw Failure(description: "the server on \(dataDir) closed \(path) without an answer") }
        if reply.hasPrefix("ok ") { return String(reply.dropFirst(3)) }
        throw Failure(description: "the server on \(dataDir) could not take the backup: " + (reply.hasPrefix("error ") ? String(reply.dropFirst(6)) : reply))
    }

    static func address(_ path: String) throws -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw Failure(description: "\(path) is too long for a unix socket: use a shorter --data-dir")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return addr
    }

    /// The connected peer's uid (SO_PEERCRED's struct ucred: pid, uid, gid, each 32 bits on Linux).
    static func peerUID(_ fd: Int32) -> uid_t? {
        var cred = [UInt32](repeating: 0, count: 3)
        var len = socklen_t(12)
        let rc = cred.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &len) }
        return rc == 0 && len == 12 ? uid_t(cred[1]) : nil
    }

    /// One line of at most 4 KiB (without its newline) that arrives within `limit`; nil on a timeout, an
    /// error or an overlong line. Timed with poll(2), not SO_RCVTIMEO, whose timeval Swift cannot pass on
    /// armv7 with a 64-bit time_t (the option is a macro choosing between two there).
    static func readLine(_ fd: Int32, within limit: Duration) -> String? {
        let deadline = ContinuousClock.now + limit
        var out: [UInt8] = []
        var byte: UInt8 = 0
        while out.count < 4096 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&pfd, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return out.isEmpty ? nil : String(decoding: out, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: out, as: UTF8.self) }
            out.append(byte)
        }
        return nil
    }

    static func oneLine(_ s: String) -> String {
        String(s.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
