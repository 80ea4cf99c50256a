import EdgeAPI
import EdgeRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Writes a configMap/secret/projected/downwardAPI volume the way kubelet
/// does: files in a timestamped directory, `..data` pointing at it, and each
/// top-level name a symlink through `..data`, so a container never sees half
/// an update.
enum AtomicVolumeWriter {
    struct File { var path: String; var bytes: [UInt8]; var mode: mode_t }

    struct PathRefused: Error, CustomStringConvertible { let description: String }

    static func write(_ dir: String, _ files: [File]) throws {
        // The API refuses such paths, but an object stored before it did is not validated again: nothing
        // here may name a place outside the volume, or the writer's own ..data names.
        for f in files {
            if f.path.isEmpty { throw PathRefused(description: "a file of volume \(dir) has an empty path") }
            if let problem = LocalPathRules.nonReservedProblem(f.path) {
                throw PathRefused(description: "invalid path \"\(f.path)\" for a file of the volume: \(problem)")
            }
        }
        try PosixFile.makeDirectories(dir)
        let stamp = "..\(Timestamp.nowTag)"
        let target = dir + "/" + stamp
        try PosixFile.makeDirectories(target)
        for f in files {
            let path = target + "/" + f.path
            if let slash = path.lastIndex(of: "/") { try PosixFile.makeDirectories(String(path[..<slash])) }
            try PosixFile.write(path, f.bytes, mode: f.mode)
        }
        let old = readlink(dir + "/..data")
        unlink(dir + "/..data_tmp")
        guard symlink(stamp, dir + "/..data_tmp") == 0, rename(dir + "/..data_tmp", dir + "/..data") == 0 else {
            throw ContainerRunner.Failure(description: "failed to publish volume data in \(dir): \(String(cString: strerror(errno)))")
        }
        let tops = Set(files.map { String($0.path.split(separator: "/").first ?? "") })
        for t in tops where !t.isEmpty {
            var st = stat()
            if lstat(dir + "/" + t, &st) != 0 { symlink("..data/" + t, dir + "/" + t) }
        }
        // Names gone from the new data lose their links.
        for name in PosixFile.list(dir) where !name.hasPrefix("..") && !tops.contains(name) { unlink(dir + "/" + name) }
        if let old, old != stamp { PosixFile.removeTree(dir + "/" + old) }
    }

    static func readlink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = Glibc.readlink(path, &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }
}

extension Timestamp {
    /// A sortable, unique-enough directory name for one write.
    static var nowTag: String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return "\(ts.tv_sec)_\(ts.tv_nsec)"
    }
}
