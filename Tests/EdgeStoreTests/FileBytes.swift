#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and writes without Foundation (the armv7 test build has none).
enum FileBytes {
    static func write(_ path: String, _ bytes: UnsafeRawBufferPointer) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        return Glibc.write(fd, bytes.baseAddress, bytes.count)
    }

    static func read(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = [], buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return out }
            out += buf[..<n]
        }
    }
}
