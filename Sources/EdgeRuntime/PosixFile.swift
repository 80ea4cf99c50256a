import EdgeAPI
#if canImport(Glibc)
import Glibc
#endif

/// Small whole-file helpers for the runtime's state files (no Foundation).
public enum PosixFile {
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    /// At most the last `max` bytes of a file, reading no more than that (a container writes its termination
    /// log, and may make it as big as the disk: kubelet reads its last 4096 bytes the same way).
    public static func readTail(_ path: String, max: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let start = st.st_size > off_t(max) ? st.st_size - off_t(max) : 0
        var out = [UInt8](repeating: 0, count: max)
        var got = 0
        while got < max {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, max - got, start + off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return Array(out[0..<got])
    }

    public static func readJSON(_ path: String) -> JSON? {
        guard let bytes = read(path) else { return nil }
        return try? JSONParser.parse(bytes)
    }

    /// Writes through a temporary file and rename, so readers never see half a file.
    /// `durable` also flushes the file to the disk before the rename, so a power cut
    /// right after it leaves the new contents rather than an empty file (for rare
    /// writes of what must survive, such as keys: an SD card pays for every flush).
    public static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644, durable: Bool = false) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ContainerRunner.Failure(description: "failed to write \(path): \(String(cString: strerror(errno)))") }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { close(fd); throw ContainerRunner.Failure(description: "failed to write \(path): \(String(cString: strerror(errno)))") }
            off += n
        }
        fchmod(fd, mode)
        if durable && fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ContainerRunner.Failure(description: "failed to write \(path): \(reason)")
        }
        close(fd)
        guard rename(tmp, path) == 0 else { throw ContainerRunner.Failure(description: "failed to rename \(tmp): \(String(cString: strerror(errno)))") }
    }

    public static func writeJSON(_ path: String, _ value: JSON, mode: mode_t = 0o644) throws {
        try write(path, JSONSerializer.serialize(value), mode: mode)
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// mkdir -p.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw ContainerRunner.Failure(description: "failed to create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// rm -rf that stays on one filesystem and never follows symlinks (a container
    /// may have left anything in its directories, including mount points).
    public static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for n in list(path) {
                let child = path + "/" + n
                var cst = stat()
                if lstat(child, &cst) == 0 && (cst.st_mode & S_IFMT) == S_IFDIR && cst.st_dev != st.st_dev {
                    umount2(child, Int32(MNT_DETACH))
                }
                removeTree(child)
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Directory entries, without . and ..
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
