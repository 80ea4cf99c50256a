#if canImport(Glibc)
import Glibc
#endif

/// Size and free space of one filesystem, from statvfs.
public struct FilesystemUsage: Sendable, Equatable {
    public var capacityBytes: Int64
    /// What an unprivileged writer may still use (f_bavail), as kubelet counts "available".
    public var availableBytes: Int64

    public init(capacityBytes: Int64, availableBytes: Int64) {
        self.capacityBytes = capacityBytes
        self.availableBytes = availableBytes
    }

    /// Percent in use, kubelet's way: 100 - available*100/capacity, the division rounding down.
    public var usagePercent: Int {
        guard capacityBytes > 0 else { return 0 }
        return 100 - Int(availableBytes * 100 / capacityBytes)
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The filesystem holding `path`.
    public static func measure(_ path: String) throws -> FilesystemUsage {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else {
            throw Failure(description: "failed to measure the filesystem holding \(path) (statvfs: \(String(cString: strerror(errno))))")
        }
        return FilesystemUsage(capacityBytes: Int64(s.f_blocks) * Int64(s.f_frsize), availableBytes: Int64(s.f_bavail) * Int64(s.f_frsize))
    }
}
