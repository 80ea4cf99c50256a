#if canImport(Glibc)
import Glibc
#endif

/// An ext4 filesystem inside an image, through e2fsprogs' debugfs, which addresses the partition
/// in place (`image?offset=N`) and needs no mount or root.
public struct Ext4Volume: Sendable {
    public let image: String
    public let offset: Int64

    public init(image: String, offset: Int64) {
        self.image = image
        self.offset = offset
    }

    var device: String { "\(image)?offset=\(offset)" }

    /// One entry of a directory: name, mode bits (with the file type), uid, gid, size.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        public var size: Int64
        public var isDirectory: Bool { mode & 0o170000 == 0o040000 }
        public var isSymlink: Bool { mode & 0o170000 == 0o120000 }
    }

    func query(_ request: String) throws -> Subprocess.Result {
        try Subprocess.run(["debugfs", "-R", request, device])
    }

    /// The file's bytes, nil when it does not exist.
    public func read(_ path: String) throws -> [UInt8]? {
        try VolumePath.check(path)
        let r = try query("cat " + path)
        if r.errorText.contains("File not found") { return nil }
        if r.errorText.contains("Bad magic number") || r.errorText.contains("Couldn't find valid filesystem") {
            throw ImageFile.Failure(description: "no ext4 filesystem at byte \(offset) of \(image)")
        }
        return r.stdout
    }

    /// The entries of a directory (ls -p), without . and ..; nil when it does not exist.
    public func list(_ dir: String) throws -> [Entry]? {
        try VolumePath.check(dir)
        let r = try query("ls -p " + dir)
        if r.errorText.contains("File not found") { return nil }
        return r.output.split(separator: "\n").compactMap { line in
            // /inode/mode/uid/gid/name/size/
            let f = line.split(separator: "/", omittingEmptySubsequences: false)
            guard f.count >= 7, let mode = UInt32(f[2], radix: 8), let uid = UInt32(f[3]), let gid = UInt32(f[4]) else { return nil }
            let name = String(f[5])
            guard name != ".", name != ".." else { return nil }
            return Entry(name: name, mode: mode, uid: uid, gid: gid, size: Int64(f[6]) ?? 0)
        }
    }

    public func exists(_ path: String) throws -> Bool {
        guard let slash = path.lastIndex(of: "/") else { return false }
        let dir = slash == path.startIndex ? "/" : String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        return try list(dir)?.contains { $0.name == name } ?? false
    }

    public func entry(_ path: String) throws -> Entry? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        let dir = slash == path.startIndex ? "/" : String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        return try list(dir)?.first { $0.name == name }
    }

    /// A batch of changes, applied in one debugfs run.
    public struct Changes {
        var commands: [String] = []
        var files: [String] = []
        /// Directories to make (parents first); existing ones are left as they are.
        var directories: [(String, UInt32)] = []

        public init() {}

        public mutating func directory(_ path: String, mode: UInt32 = 0o755) { directories.append((path, mode)) }

        public mutating func file(_ path: String, _ bytes: [UInt8], mode: UInt32) throws {
            try VolumePath.check(path)
            var template = Array("/tmp/edgectl-ext4-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw ImageFile.Failure(description: "cannot make a temporary file") }
            let tmp = String(cString: template)
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
                if n <= 0 { close(fd); throw ImageFile.Failure(description: "cannot write a temporary file") }
                off += n
            }
            close(fd)
            files.append(tmp)
            commands += ["rm \(path)", "write \(tmp) \(path)", "sif \(path) mode 0\(String(0o100000 | mode, radix: 8))",
                         "sif \(path) uid 0", "sif \(path) gid 0"]
        }

        public mutating func symlink(_ path: String, to target: String) throws {
            try VolumePath.check(path)
            try VolumePath.check(target)
            commands += ["rm \(path)", "symlink \(path) \(target)"]
        }

        public mutating func remove(_ path: String) throws {
            try VolumePath.check(path)
            commands.append("rm \(path)")
        }
    }

    public func apply(_ changes: Changes) throws {
        defer { changes.files.forEach { unlink($0) } }
        var commands: [String] = []
        for (dir, mode) in changes.directories {
            try VolumePath.check(dir)
            var cur = ""
            for part in dir.split(separator: "/") {
                cur += "/" + part
                if try !exists(cur) {
                    commands += ["mkdir \(cur)", "sif \(cur) mode 0\(String(0o040000 | (cur == dir ? mode : 0o755), radix: 8))", "sif \(cur) uid 0", "sif \(cur) gid 0"]
                }
            }
        }
        commands += changes.commands
        var template = Array("/tmp/edgectl-debugfs-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ImageFile.Failure(description: "cannot make a temporary file") }
        let script = String(cString: template)
        defer { unlink(script) }
        let text = Array((commands.joined(separator: "\n") + "\n").utf8)
        _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let r = try Subprocess.run(["debugfs", "-w", "-f", script, device])
        // debugfs exits 0 whatever happens: its complaints are the errors. Removing a file that is
        // not there yet (before writing it) is expected.
        let problems = r.errorText.split(separator: "\n").filter { line in
            !line.hasPrefix("debugfs ") && !line.hasPrefix("rm: File not found") && !line.contains("File not found by ext2_lookup while trying to resolve")
        }
        guard problems.isEmpty else {
            throw ImageFile.Failure(description: "writing into the ext4 filesystem of \(image) failed: \(problems.prefix(3).joined(separator: "; "))")
        }
    }
}
