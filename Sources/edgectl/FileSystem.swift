#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the CLI needs, on POSIX calls (no Foundation).
enum FileSystem {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// mkdir -p with the given mode for directories it creates.
    static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw Failure(description: "failed to create directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Writes atomically (temp file + rename) with `mode`, so a crash never leaves a half-written credential.
    static func write(_ path: String, _ contents: String, mode: mode_t = 0o600) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(description: "failed to write \(path): \(String(cString: strerror(errno)))") }
        var bytes = Array(contents.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                close(fd)
                throw Failure(description: "failed to write \(path): \(String(cString: strerror(errno)))")
            }
            off += n
        }
        fchmod(fd, mode)
        fsync(fd)
        close(fd)
        guard rename(tmp, path) == 0 else { throw Failure(description: "failed to write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Writes only when the contents differ (the mode is set either way): a restart on a full disk
    /// must not fail on files it already has. True when it wrote.
    @discardableResult
    static func writeIfChanged(_ path: String, _ contents: String, mode: mode_t = 0o600) throws -> Bool {
        if exists(path), let current = try? read(path), current == contents {
            chmod(path, mode)
            return false
        }
        try write(path, contents, mode: mode)
        return true
    }

    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "failed to read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw Failure(description: "failed to read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
