#if canImport(Glibc)
import Glibc
#endif

/// The machine's files seen from a root directory: `/` on a real host, a fake tree in tests
/// (fake /proc, /sys and /etc), so board detection, preflight and health read the same way in both.
public struct HostRoot: Sendable, Equatable {
    public let path: String

    public init(_ path: String = "/") {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        self.path = p
    }

    /// The host's root unless EDGECTL_HOST_ROOT names another (tests run the binary against a fake tree).
    public static func fromEnvironment() -> HostRoot {
        if let v = getenv("EDGECTL_HOST_ROOT").map({ String(cString: $0) }), !v.isEmpty { return HostRoot(v) }
        return HostRoot("/")
    }

    /// The real path of a host path: `/proc/cgroups` → `<root>/proc/cgroups`.
    public func resolve(_ hostPath: String) -> String {
        path == "/" ? hostPath : path + (hostPath.hasPrefix("/") ? hostPath : "/" + hostPath)
    }

    public func exists(_ hostPath: String) -> Bool { access(resolve(hostPath), F_OK) == 0 }

    public func isDirectory(_ hostPath: String) -> Bool {
        var st = stat()
        return stat(resolve(hostPath), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The file's text (at most `limit` bytes: sysfs and procfs files are small, a fake one might not be); nil if unreadable.
    public func read(_ hostPath: String, limit: Int = 1 << 20) -> String? {
        readBytes(hostPath, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    public func readBytes(_ hostPath: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(resolve(hostPath), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        while out.count < limit {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, limit - out.count)) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out += buf[0..<n]
        }
        return out
    }

    /// The first line, trimmed; nil if unreadable or empty.
    public func line(_ hostPath: String) -> String? {
        guard let text = read(hostPath, limit: 4096) else { return nil }
        let first = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "").trimmingSpaces
        return first.isEmpty ? nil : first
    }

    /// Names in a directory, sorted; empty if it cannot be read.
    public func list(_ hostPath: String) -> [String] {
        guard let d = opendir(resolve(hostPath)) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
