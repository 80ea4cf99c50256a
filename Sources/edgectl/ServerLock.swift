#if canImport(Glibc)
import Glibc
#endif

/// `<data-dir>/server.lock`, held (flock) by a running server for its lifetime, so that `edgectl backup
/// restore` can refuse to replace a store under it. The kernel drops the lock when the process dies.
struct ServerLock {
    let fd: Int32

    struct Busy: Error, CustomStringConvertible { let description: String }

    static func path(dataDir: String) -> String { dataDir + "/server.lock" }

    /// Takes the lock, or says a server already runs on `dataDir`.
    static func acquire(dataDir: String) throws -> ServerLock {
        let fd = open(path(dataDir: dataDir), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Busy(description: "cannot open \(path(dataDir: dataDir)): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Busy(description: "an edgectl server is running on \(dataDir) (it holds \(path(dataDir: dataDir))): stop it first")
        }
        return ServerLock(fd: fd)
    }

    func release() { close(fd) }
}
