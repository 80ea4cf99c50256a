#if canImport(Glibc)
import Glibc
#endif

/// Writes files under a root directory ("/" on a machine; a temp dir in tests, or a flashed image's
/// tree), atomically and with an exact mode, making parent directories.
public struct FileWriter: Sendable {
    public let root: String

    public init(root: String = "/") {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public func path(_ p: String) -> String { root == "/" ? p : root + p }

    /// mkdir -p; `mode` for the last directory, 0755 for parents it has to make.
    public func makeDirectories(_ p: String, mode: mode_t = 0o755) throws {
        var cur = root == "/" ? "" : root
        let parts = p.split(separator: "/")
        for (i, part) in parts.enumerated() {
            cur += "/" + part
            if mkdir(cur, i == parts.count - 1 ? mode : 0o755) != 0 && errno != EEXIST {
                throw Failure(description: "cannot create \(cur): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Temp file, fsync, rename: a reader (or a power cut) sees the old file or the new one.
    public func write(_ p: String, _ bytes: [UInt8], mode: mode_t) throws {
        let full = path(p)
        if let slash = p.lastIndex(of: "/"), slash != p.startIndex { try makeDirectories(String(p[..<slash])) }
        let tmp = full + ".edgectl-tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(description: "cannot write \(full): \(String(cString: strerror(errno)))") }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = String(cString: strerror(errno))
                close(fd); unlink(tmp)
                throw Failure(description: "cannot write \(full): \(e)")
            }
            off += n
        }
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        guard rename(tmp, full) == 0 else {
            let e = String(cString: strerror(errno))
            unlink(tmp)
            throw Failure(description: "cannot write \(full): \(e)")
        }
    }

    public func write(_ p: String, _ text: String, mode: mode_t) throws { try write(p, Array(text.utf8), mode: mode) }

    /// A copy of a local file (the edgectl binary), same atomic way.
    public func copy(from source: String, to p: String, mode: mode_t) throws {
        guard let bytes = HostRoot("/").readBytes(source, limit: 1 << 30) else {
            throw Failure(description: "cannot read \(source): \(String(cString: strerror(errno)))")
        }
        try write(p, bytes, mode: mode)
    }

    public func symlink(_ target: String, at p: String) throws {
        let full = path(p)
        if let slash = p.lastIndex(of: "/"), slash != p.startIndex { try makeDirectories(String(p[..<slash])) }
        unlink(full)
        guard Glibc.symlink(target, full) == 0 else { throw Failure(description: "cannot link \(full): \(String(cString: strerror(errno)))") }
    }

    /// Removes a file or symlink; true if something was there.
    @discardableResult
    public func remove(_ p: String) -> Bool { unlink(path(p)) == 0 }
}
