import EdgeAPI
import EdgeAuth
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The audit log backend (`--audit-log-path`): one JSON event per line, written
/// before the request goes on (upstream's blocking mode), in a 0600 file whose
/// directory is made 0700. As upstream's (lumberjack) it rotates past
/// `maxSizeMB` (0: 100 MB) to `NAME-2006-01-02T15-04-05.000.EXT` beside it,
/// keeping at most `maxBackups` old files (0: all) no older than `maxAgeDays`
/// (0: any age). The path "-" writes to standard output.
public final class AuditLogFile: AuditSink {
    public struct Options: Sendable, Equatable {
        public var path: String
        public var maxAgeDays: Int64 = 0
        public var maxBackups: Int64 = 0
        public var maxSizeMB: Int64 = 0

        public init(path: String, maxAgeDays: Int64 = 0, maxBackups: Int64 = 0, maxSizeMB: Int64 = 0) {
            self.path = path
            self.maxAgeDays = maxAgeDays
            self.maxBackups = maxBackups
            self.maxSizeMB = maxSizeMB
        }

        var maxBytes: Int64 { maxSizeMB > 0 ? maxSizeMB.multipliedReportingOverflow(by: 1 << 20).partialValue : 100 << 20 }
    }

    struct State {
        var fd: Int32
        var size: Int64
    }

    let options: Options
    let clock: @Sendable () -> Timestamp
    private let state: Mutex<State>
    static let log = Logger(label: "edgectl.audit")

    public struct OpenFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ options: Options, clock: @escaping @Sendable () -> Timestamp = Timestamp.now) throws {
        guard options.maxAgeDays >= 0, options.maxBackups >= 0, options.maxSizeMB >= 0 else {
            throw OpenFailure(description: "--audit-log-maxage, --audit-log-maxbackup and --audit-log-maxsize must be 0 or more")
        }
        self.options = options
        self.clock = clock
        if options.path == "-" {
            state = Mutex(State(fd: 1, size: 0))
            return
        }
        let dir = Self.directory(of: options.path)
        if !dir.isEmpty { try Self.makeDirectories(dir) }
        let fd = try Self.open(options.path)
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
        state = Mutex(State(fd: fd, size: size))
    }

    deinit {
        state.withLock { if $0.fd > 2 { close($0.fd) } }
    }

    public func write(_ event: AuditEvent) -> Bool {
        var line = JSONSerializer.serialize(event.json)
        line.append(0x0A)
        return state.withLock { s in
            if options.path != "-", s.size > 0, s.size.addingReportingOverflow(Int64(line.count)).partialValue > options.maxBytes {
                rotate(&s)
            }
            guard Self.writeAll(s.fd, line) else {
                Self.log.error("audit log \(options.path): write failed: \(String(cString: strerror(errno))); the request is refused")
                return false
            }
            s.size = s.size.addingReportingOverflow(Int64(line.count)).partialValue
            return true
        }
    }

    /// Moves the full file aside under its time and starts a new one; a failure keeps writing to the old one.
    func rotate(_ s: inout State) {
        let backup = backupName(clock())
        guard rename(options.path, backup) == 0 else {
            Self.log.error("audit log \(options.path): could not rotate to \(backup): \(String(cString: strerror(errno)))")
            return
        }
        do {
            let fd = try Self.open(options.path)
            close(s.fd)
            s = State(fd: fd, size: 0)
        } catch {
            Self.log.error("audit log \(options.path): \(error)")
        }
        prune()
    }

    var nameParts: (dir: String, prefix: String, ext: String) {
        let dir = Self.directory(of: options.path)
        let base = String(options.path.dropFirst(dir.isEmpty ? 0 : dir.count + 1))
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            return (dir, String(base[..<dot]) + "-", String(base[dot...]))
        }
        return (dir, base + "-", "")
    }

    func backupName(_ t: Timestamp) -> String {
        let (dir, prefix, ext) = nameParts
        let stamp = String(t.rfc3339Micro.dropLast(4).map { $0 == ":" ? "-" : $0 })
        return (dir.isEmpty ? "" : dir + "/") + prefix + stamp + ext
    }

    /// Old files beyond the count or the age, oldest first (their names sort by time).
    func prune() {
        guard options.maxBackups > 0 || options.maxAgeDays > 0 else { return }
        let (dir, prefix, ext) = nameParts
        var backups: [String] = []
        guard let d = opendir(dir.isEmpty ? "." : dir) else { return }
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name.hasPrefix(prefix), name.hasSuffix(ext), name.count == prefix.count + 23 + ext.count,
               Timestamp(rfc3339: Self.stampText(String(name.dropFirst(prefix.count).dropLast(ext.count)))) != nil {
                backups.append(name)
            }
        }
        closedir(d)
        backups.sort(by: >)
        var remove: [String] = []
        if options.maxBackups > 0, Int64(backups.count) > options.maxBackups {
            remove += backups[Int(options.maxBackups)...]
            backups.removeLast(backups.count - Int(options.maxBackups))
        }
        if options.maxAgeDays > 0 {
            let cutoff = clock().adding(seconds: -options.maxAgeDays.multipliedReportingOverflow(by: 86_400).partialValue)
            remove += backups.filter { (Timestamp(rfc3339: Self.stampText(String($0.dropFirst(prefix.count).dropLast(ext.count)))) ?? cutoff) < cutoff }
        }
        for name in remove {
            let p = (dir.isEmpty ? "" : dir + "/") + name
            if unlink(p) != 0 { Self.log.warning("audit log: could not remove old \(p): \(String(cString: strerror(errno)))") }
        }
    }

    /// `2026-12-05T15-30-00.123` back to RFC 3339.
    static func stampText(_ s: String) -> String {
        var c = Array(s)
        guard c.count == 23 else { return "" }
        c[13] = ":"
        c[16] = ":"
        return String(c) + "Z"
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func makeDirectories(_ dir: String) throws {
        var cur = dir.hasPrefix("/") ? "" : "."
        for part in dir.split(separator: "/") {
            cur += "/" + part
            if mkdir(cur, 0o700) != 0 && errno != EEXIST {
                throw OpenFailure(description: "audit log: cannot create \(cur): \(String(cString: strerror(errno)))")
            }
        }
    }

    static func open(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OpenFailure(description: "audit log: cannot open \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            off += n
        }
        return true
    }
}
