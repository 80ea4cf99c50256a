import CEdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Paths inside a directory that must not be left, resolved by the C core one
/// component at a time (safe_path.c): symlinks are read and followed against
/// the directory, never by the kernel on their own.
public enum SafePath {
    public enum Rule: Sendable {
        /// As a chroot: an absolute symlink or ".." at the top resolves against the directory (mount targets in a root).
        case inRoot
        /// Anything that would lead out of the directory fails (a volume's subPath).
        case beneath
    }

    public enum Create: Sendable { case none, directories, file }

    public struct Failure: Error, CustomStringConvertible {
        public let errno: Int32
        public let description: String
    }

    /// Opens `path` inside `root` (an O_PATH descriptor the caller closes), making what is missing as asked.
    public static func open(_ path: String, in root: String, rule: Rule, create: Create = .none, mode: mode_t = 0o755) throws -> Int32 {
        let rootFD = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw Failure(errno: errno, description: "cannot open \(root): \(String(cString: strerror(errno)))") }
        defer { close(rootFD) }
        let flags = rule == .beneath ? EDGE_SAFE_BENEATH : EDGE_SAFE_IN_ROOT
        let how = create == .none ? EDGE_SAFE_CREATE_NONE : create == .file ? EDGE_SAFE_CREATE_FILE : EDGE_SAFE_CREATE_DIR
        let fd = edge_safe_open(rootFD, path, flags, how, mode)
        guard fd >= 0 else {
            let e = errno
            let why = e == EXDEV ? "leads out of \(root)" : String(cString: strerror(e))
            throw Failure(errno: e, description: "\(path) in \(root): \(why)")
        }
        return fd
    }

    /// Makes a volume's subPath if it is missing (a directory with the volume's mode, as kubelet) and checks it
    /// stays inside the volume: a symlink planted in the volume (by a container that shares it) may not lead out.
    public static func prepareSubPath(_ subPath: String, inVolume volume: String) throws {
        var st = stat()
        let mode = stat(volume, &st) == 0 ? st.st_mode & 0o7777 : 0o755
        close(try open(subPath, in: volume, rule: .beneath, create: .directories, mode: mode))
    }

    /// Where an opened descriptor points now, as the host sees it (for tests and messages).
    public static func resolvedPath(_ fd: Int32) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/fd/\(fd)", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }
}
