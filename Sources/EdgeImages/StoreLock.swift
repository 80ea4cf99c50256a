#if canImport(Glibc)
import Glibc
#endif

/// Serializes metadata changes between threads and processes (the agent and
/// `edgectl images` may share a store): flock on a file, held briefly.
struct StoreLock: Sendable {
    let path: String

    func withLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ImageError("failed to open lock \(path): \(Posix.lastError)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw ImageError("failed to lock \(path): \(Posix.lastError)") }
        }
        return try body()
    }
}
