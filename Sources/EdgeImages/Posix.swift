#if canImport(Glibc)
import Glibc
#endif

/// The file operations the store needs, on POSIX calls (no Foundation).
enum Posix {
    static var lastError: String { String(cString: strerror(errno)) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// mkdir -p; directories it creates get `mode`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw ImageError("failed to create directory \(current): \(lastError)")
            }
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        try FileStream(path: path).readAll()
    }

    /// Temp file + fsync + rename: readers see the old or the new content, never half.
    static func writeFileAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ImageError("failed to write \(path): \(lastError)") }
        do {
            try writeAll(fd, bytes, path: path)
            fsync(fd)
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let message = lastError
            unlink(tmp)
            throw ImageError("failed to write \(path): \(message)")
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var off = 0
        while off < bytes.count {
            let n = write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ImageError("failed to write \(path): \(lastError)")
            }
            off += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
    }

    /// Names in a directory, without "." and ".."; empty if it does not exist.
    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// rm -rf that never follows symlinks (layer trees hold links to anywhere).
    static func removeTree(_ path: String) throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw ImageError("failed to remove \(path): \(lastError)")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw ImageError("failed to remove \(path): \(lastError)") }
            defer { close(fd) }
            try removeContents(of: fd, path: path)
            guard rmdir(path) == 0 || errno == ENOENT else { throw ImageError("failed to remove \(path): \(lastError)") }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw ImageError("failed to remove \(path): \(lastError)") }
        }
    }

    private static func removeContents(of dirfd: Int32, path: String) throws {
        let dup = dup(dirfd)
        guard dup >= 0, let dir = fdopendir(dup) else { throw ImageError("failed to list \(path): \(lastError)") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names {
            var st = stat()
            guard fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let child = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw ImageError("failed to remove \(path)/\(name): \(lastError)") }
                defer { close(child) }
                try removeContents(of: child, path: path + "/" + name)
                guard unlinkat(dirfd, name, AT_REMOVEDIR) == 0 else { throw ImageError("failed to remove \(path)/\(name): \(lastError)") }
            } else {
                guard unlinkat(dirfd, name, 0) == 0 else { throw ImageError("failed to remove \(path)/\(name): \(lastError)") }
            }
        }
    }

    static func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    static func modificationTime(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    /// Sets mtime to now (the store's "last used" mark, without rewriting the file).
    static func touch(_ path: String) {
        _ = utimensat(AT_FDCWD, path, nil, 0)
    }

    static func setModificationTime(_ path: String, nanoseconds: Int64) {
        let time = timespec(seconds: nanoseconds / 1_000_000_000, nanoseconds: Int(nanoseconds % 1_000_000_000))
        var times = [time, time]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// A timespec from 64-bit seconds: time_t is 64-bit on every target edgectl builds
    /// for (armv7 with _TIME_BITS=64), and saturates instead of trapping where it is not.
    static func timespec(seconds: Int64, nanoseconds: Int) -> Glibc.timespec {
        Glibc.timespec(tv_sec: time_t(clamping: seconds), tv_nsec: .init(clamping: nanoseconds))
    }

    /// A fresh directory name under `parent` that no other process picks.
    static func makeTemporaryDirectory(in parent: String, prefix: String) throws -> String {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw ImageError("failed to create a temporary directory in \(parent): \(lastError)") }
        // The name is read while the buffer is alive (a pointer escaping the closure is undefined
        // behaviour: on aarch64 it read freed memory and trapped).
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
