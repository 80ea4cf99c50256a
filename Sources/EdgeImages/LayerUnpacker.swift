import CZlib
#if canImport(Glibc)
import Glibc
#endif

/// Writes one layer's tar stream into an empty directory that becomes an
/// overlayfs lower layer. Every path is resolved component by component with
/// O_NOFOLLOW, so no entry (however crafted: "..", absolute paths, a symlink
/// followed by a file "through" it) can write outside the directory. Whiteouts
/// turn into what overlayfs understands: `.wh.NAME` a 0:0 character device,
/// `.wh..wh..opq` the `trusted.overlay.opaque=y` xattr on its directory.
struct LayerUnpacker {
    let root: String
    /// Owners, device nodes and whiteouts need root; without it files keep the caller's ids.
    let privileged: Bool
    private var rootFD: Int32 = -1
    private var directoryTimes: [(components: [String], times: [timespec])] = []
    /// Bytes the layer occupies on disk (file blocks plus a block per directory).
    private(set) var diskUsage: Int64 = 0

    init(root: String, privileged: Bool = geteuid() == 0) {
        self.root = root
        self.privileged = privileged
    }

    mutating func unpack(_ tar: TarReader) throws {
        rootFD = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard rootFD >= 0 else { throw ImageError("failed to open layer directory \(root): \(Posix.lastError)") }
        defer { close(rootFD); rootFD = -1 }
        fchmod(rootFD, 0o755)
        while let entry = try tar.next() {
            try write(entry, from: tar)
        }
        // Directory mtimes last, deepest first: creating children changes them.
        for (components, times) in directoryTimes.sorted(by: { $0.components.count > $1.components.count }) {
            guard let parent = try? openDirectory(Array(components.dropLast()), create: false) else { continue }
            var t = times
            utimensat(parent, components.last!, &t, AT_SYMLINK_NOFOLLOW)
            close(parent)
        }
    }

    /// Archive path to components inside the layer; ".." may not climb above the root.
    static func components(of path: String) throws -> [String] {
        var out: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !out.isEmpty else { throw ImageError("layer entry \(path) escapes the layer directory; refusing to unpack it") }
                out.removeLast()
                continue
            }
            out.append(String(part))
        }
        return out
    }

    private mutating func write(_ entry: TarEntry, from tar: TarReader) throws {
        let components = try Self.components(of: entry.path)
        guard let name = components.last else { return } // the layer root itself
        let parent = try openDirectory(Array(components.dropLast()), create: true, entryPath: entry.path)
        defer { close(parent) }

        if name.hasPrefix(".wh.") {
            try writeWhiteout(named: name, in: parent, entry: entry, parentComponents: Array(components.dropLast()))
            return
        }
        try removeExisting(name, in: parent, keepingDirectory: entry.kind == .directory, components: components)
        let time = Posix.timespec(seconds: entry.modificationSeconds, nanoseconds: entry.modificationNanoseconds)
        var times = [time, time]
        let perm = mode_t(entry.mode & 0o7777)
        switch entry.kind {
        case .file:
            let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw failure("create", entry) }
            defer { close(fd) }
            try copyContent(of: entry, from: tar, to: fd)
            if privileged { fchown(fd, entry.uid, entry.gid) }
            fchmod(fd, perm)
            setAttributes(entry, on: fd)
            futimens(fd, &times)
            var st = stat()
            if fstat(fd, &st) == 0 { diskUsage += Int64(st.st_blocks) * 512 }
        case .directory:
            if mkdirat(parent, name, 0o700) != 0 && errno != EEXIST { throw failure("create directory", entry) }
            let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw failure("open directory", entry) }
            defer { close(fd) }
            if privileged { fchown(fd, entry.uid, entry.gid) }
            fchmod(fd, perm)
            setAttributes(entry, on: fd)
            directoryTimes.append((components, times))
            diskUsage += 4096
        case .symbolicLink:
            // The target is stored as written and never followed here; it resolves inside the container.
            guard symlinkat(entry.linkName, parent, name) == 0 else { throw failure("create symlink", entry) }
            if privileged { fchownat(parent, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) }
            utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW)
        case .hardLink:
            let target = try Self.components(of: entry.linkName)
            guard let targetName = target.last,
                  let targetParent = try? openDirectory(Array(target.dropLast()), create: false)
            else { throw ImageError("layer entry \(entry.path) is a hard link to \(entry.linkName), which is not in this layer") }
            defer { close(targetParent) }
            guard linkat(targetParent, targetName, parent, name, 0) == 0 else {
                throw ImageError("failed to hard-link \(entry.path) to \(entry.linkName) in \(root): \(Posix.lastError)")
            }
        case .characterDevice, .blockDevice, .fifo:
            let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .blockDevice ? S_IFBLK : S_IFCHR
            // Unprivileged unpacking cannot make device nodes; a container without root could not use them either.
            if type != S_IFIFO && !privileged { return }
            guard mknodat(parent, name, type | perm, Self.device(entry.deviceMajor, entry.deviceMinor)) == 0 else {
                throw failure("create device node", entry)
            }
            if privileged { fchownat(parent, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) }
            fchmodat(parent, name, perm, 0)
            utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW)
        }
    }

    private func writeWhiteout(named name: String, in parent: Int32, entry: TarEntry, parentComponents: [String]) throws {
        if name == ".wh..wh..opq" {
            let value: [UInt8] = [UInt8(ascii: "y")]
            guard fsetxattr(parent, "trusted.overlay.opaque", value, 1, 0) == 0 else {
                throw ImageError("failed to mark the directory of \(entry.path) opaque (trusted.overlay.opaque): \(Posix.lastError); unpacking layers with whiteouts needs root on a filesystem with trusted xattrs (ext4, xfs, tmpfs)")
            }
            return
        }
        // Other .wh..wh. names are aufs bookkeeping (hard-link directories), not part of the tree.
        if name.hasPrefix(".wh..wh.") { return }
        let hidden = String(name.dropFirst(4))
        guard hidden != "." && hidden != ".." && !hidden.isEmpty else {
            throw ImageError("layer entry \(entry.path) is a malformed whiteout")
        }
        try removeExisting(hidden, in: parent, keepingDirectory: false, components: parentComponents + [hidden])
        guard mknodat(parent, hidden, S_IFCHR, 0) == 0 else {
            throw ImageError("failed to create whiteout for \(entry.path): \(Posix.lastError); unpacking layers with whiteouts needs root (CAP_MKNOD)")
        }
    }

    /// A later entry for the same path replaces the earlier one; directories merge.
    private func removeExisting(_ name: String, in parent: Int32, keepingDirectory: Bool, components: [String]) throws {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        if isDirectory && keepingDirectory { return }
        if isDirectory {
            // Every component up to here was opened with O_NOFOLLOW, so the joined path stays inside the layer.
            try Posix.removeTree(root + "/" + components.joined(separator: "/"))
        } else if unlinkat(parent, name, 0) != 0 {
            throw ImageError("failed to replace \(name) in \(root): \(Posix.lastError)")
        }
    }

    /// Opens a directory inside the layer without following any symlink on the way.
    private func openDirectory(_ components: [String], create: Bool, entryPath: String = "") throws -> Int32 {
        var fd = dup(rootFD)
        guard fd >= 0 else { throw ImageError("failed to open \(root): \(Posix.lastError)") }
        for part in components {
            var next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                // Archives may omit parent directories; make them as tar(1) would.
                if mkdirat(fd, part, 0o755) != 0 && errno != EEXIST {
                    let message = Posix.lastError
                    close(fd)
                    throw ImageError("failed to create directory for \(entryPath) in \(root): \(message)")
                }
                next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let code = errno
                close(fd)
                if code == ELOOP || code == ENOTDIR {
                    throw ImageError("layer entry \(entryPath) goes through \(part), which is a symlink or not a directory; refusing to write through it")
                }
                throw ImageError("failed to open \(part) for \(entryPath) in \(root): \(String(cString: strerror(code)))")
            }
            close(fd)
            fd = next
        }
        return fd
    }

    private func copyContent(of entry: TarEntry, from tar: TarReader, to fd: Int32) throws {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { chunk.deallocate() }
        var written: Int64 = 0
        while true {
            let n = try tar.read(chunk)
            if n == 0 { break }
            try Posix.writeAll(fd, UnsafeRawBufferPointer(rebasing: chunk[0..<n]), path: root + "/" + entry.path)
            written += Int64(n)
        }
        guard written == entry.size else { throw ImageError("layer entry \(entry.path) is truncated") }
    }

    /// Archive xattrs, except overlayfs' own: a layer must not smuggle in redirects or opaque marks as data.
    private func setAttributes(_ entry: TarEntry, on fd: Int32) {
        for (name, value) in entry.extendedAttributes where !name.hasPrefix("trusted.overlay.") {
            _ = value.withUnsafeBytes { fsetxattr(fd, name, $0.baseAddress, $0.count, 0) }
        }
    }

    private func failure(_ action: String, _ entry: TarEntry) -> ImageError {
        ImageError("failed to \(action) \(entry.path) in \(root): \(Posix.lastError)")
    }

    /// glibc's makedev encoding (a macro Swift cannot see).
    /// One typed term per line: Swift 6.2 gives up type-checking the single expression.
    static func device(_ major: UInt32, _ minor: UInt32) -> dev_t {
        let ma = UInt64(major), mi = UInt64(minor)
        let majorHigh: UInt64 = (ma & 0xfffff000) << 32
        let majorLow: UInt64 = (ma & 0xfff) << 8
        let minorHigh: UInt64 = (mi & 0xffffff00) << 12
        let minorLow: UInt64 = mi & 0xff
        return dev_t(majorHigh | majorLow | minorHigh | minorLow)
    }
}
