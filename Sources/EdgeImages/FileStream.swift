#if canImport(Glibc)
import Glibc
#endif

/// Reads a file through its descriptor; closes it when done.
final class FileStream: ByteStream {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageError("failed to open \(path): \(Posix.lastError)") }
    }

    deinit { close(fd) }

    func read(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw ImageError("failed to read \(path): \(Posix.lastError)") }
        }
    }
}

extension FileStream {
    /// The first bytes of the file (format sniffing: gzip, zstd).
    func readPrefix(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try bytes.withUnsafeMutableBytes { try read(UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes[0..<filled])
    }
}
