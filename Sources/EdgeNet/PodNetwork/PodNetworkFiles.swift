#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the pod network needs (EdgeNet has no file layer of its own to borrow).
enum PodNetworkFiles {
    static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        while out.count < limit {
            let n = Glibc.read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return Array(out.prefix(limit))
    }

    static func readString(_ path: String) -> String? { read(path).map { String(decoding: $0, as: UTF8.self) } }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func list(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw NetworkError(code: errno, "creating \(current): \(Netlink.errnoText(errno))")
            }
        }
    }

    /// Creates path with contents unless it exists: false when it did.
    static func createExclusive(_ path: String, contents: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw NetworkError(code: errno, "creating \(path): \(Netlink.errnoText(errno))")
        }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else {
            let e = errno
            unlink(path)
            throw NetworkError(code: e, "writing \(path): \(Netlink.errnoText(e))")
        }
        return true
    }

    /// Writes through a temporary file and rename, so readers see the old or the new contents.
    static func writeAtomically(_ path: String, _ contents: String, mode: mode_t = 0o644) throws {
        try writeAtomically(path, Array(contents.utf8), mode: mode)
    }

    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw NetworkError(code: errno, "creating \(tmp): \(Netlink.errnoText(errno))") }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = errno
                close(fd)
                unlink(tmp)
                throw NetworkError(code: e, "writing \(tmp): \(Netlink.errnoText(e))")
            }
            written += n
        }
        fchmod(fd, mode)
        close(fd)
        guard rename(tmp, path) == 0 else {
            let e = errno
            unlink(tmp)
            throw NetworkError(code: e, "renaming \(tmp): \(Netlink.errnoText(e))")
        }
    }

    static func remove(_ path: String) { unlink(path) }

    static func trim(_ text: String) -> String {
        var s = Substring(text)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }

    /// Removes an empty directory (and nothing else).
    static func removeDirectory(_ path: String) { rmdir(path) }
}
