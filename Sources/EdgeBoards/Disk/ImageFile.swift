#if canImport(Glibc)
import Glibc
#endif
import CEdgeBoards

/// A disk image file (or block device) read by offset. Everything in it is untrusted input.
public final class ImageFile: @unchecked Sendable {
    public let path: String
    let fd: Int32
    public let size: Int64

    public struct Failure: Error, CustomStringConvertible { public var description: String }

    public init(path: String, writable: Bool = false) throws {
        self.path = path
        fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var st = stat()
        fstat(fd, &st)
        if (st.st_mode & S_IFMT) == S_IFBLK {
            let s = edge_block_device_size(fd)
            size = max(0, s)
        } else {
            size = Int64(st.st_size)
        }
    }

    deinit { close(fd) }

    /// Exactly `count` bytes at `offset`, or nil past the end or on a read error.
    public func read(at offset: Int64, count: Int) -> [UInt8]? {
        guard offset >= 0, count >= 0, count <= 64 << 20, offset <= size, Int64(count) <= size - offset else { return nil }
        var buf = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            done += n
        }
        return buf
    }
}

extension Array where Element == UInt8 {
    func le16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func le32(_ at: Int) -> UInt32 { UInt32(le16(at)) | UInt32(le16(at + 2)) << 16 }
    func le64(_ at: Int) -> UInt64 { UInt64(le32(at)) | UInt64(le32(at + 4)) << 32 }
}
