#if canImport(Glibc)
import Glibc
#endif

/// The store's answer to a full disk, after etcd's NOSPACE alarm: when a
/// write fails for lack of space the alarm goes up, a small reserve file kept
/// beside the database is freed, and from then on only deletes (which write a
/// few bytes and free the space their objects held) and Events (so users learn
/// why, a few per alarm) are let through, until there is room again: twice the
/// reserve free on the disk, or the reserve's size freed inside the database by
/// deletes since the alarm. Without the reserve, a disk
/// filled by something else (logs, images) would leave SQLite no room for even
/// a delete. Used on the writer's queue only.
final class DiskSpaceGuard: @unchecked Sendable {
    let reservePath: String
    let directory: String
    let reserveBytes: Int64
    private(set) var alarmed = false
    /// Free pages in the database when the alarm went up: those did not help, only what deletes free since does.
    private var freeInDatabaseAtAlarm: Int64 = 0
    /// Event writes let through while the alarm is up: enough to say why, too few to eat the deletes' room.
    private var eventBudget = 0
    static let eventsPerAlarm = 16

    static let eventsPrefix = "/registry/events/"

    init(databasePath: String, reserveBytes: Int64 = 2 << 20) {
        reservePath = databasePath + "-reserve"
        directory = databasePath.lastIndex(of: "/").map { String(databasePath[..<$0]) } ?? "."
        self.reserveBytes = reserveBytes
    }

    /// Free bytes on the store's filesystem for an unprivileged writer, nil when unknown.
    func freeOnDisk() -> Int64? {
        var s = statvfs()
        guard statvfs(directory.isEmpty ? "/" : directory, &s) == 0 else { return nil }
        let (bytes, overflow) = Int64(clamping: s.f_bavail).multipliedReportingOverflow(by: Int64(clamping: s.f_frsize))
        return overflow ? .max : bytes
    }

    /// Keeps the reserve in place when there is comfortably room for it; true when it exists.
    @discardableResult
    func ensureReserve() -> Bool {
        var st = stat()
        if stat(reservePath, &st) == 0, Int64(st.st_size) >= reserveBytes { return true }
        guard let free = freeOnDisk(), free / 4 >= reserveBytes else { return false }
        let fd = open(reservePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        // Real blocks, not a sparse file: freeing it must give space back.
        let chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var written: Int64 = 0
        while written < reserveBytes {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                unlink(reservePath)
                return false
            }
            written += Int64(n)
        }
        return true
    }

    /// A write failed for lack of space: raises the alarm and frees the reserve. True when it raised the alarm now.
    func exhausted(freeInDatabase: Int64) -> Bool {
        if alarmed { return false }
        alarmed = true
        freeInDatabaseAtAlarm = freeInDatabase
        eventBudget = Self.eventsPerAlarm
        unlink(reservePath)
        return true
    }

    /// Whether `op` may be tried while the alarm is up (an admitted event spends the budget).
    func admits(_ op: WriteOp.Kind) -> Bool {
        guard alarmed else { return true }
        switch op {
        case .delete: return true
        case .create(let key, _), .update(let key, _, _):
            guard key.hasPrefix(Self.eventsPrefix), eventBudget > 0 else { return false }
            eventBudget -= 1
            return true
        }
    }

    /// Lowers the alarm when space is back (on the disk, or freed by deletes inside the database); true when it did.
    func liftIfRecovered(freeInDatabase: Int64) -> Bool {
        guard alarmed else { return false }
        let freed = freeInDatabase.subtractingReportingOverflow(freeInDatabaseAtAlarm)
        let onDisk = freeOnDisk() ?? 0
        guard onDisk >= 2 * reserveBytes || (!freed.overflow && freed.partialValue >= reserveBytes) else { return false }
        alarmed = false
        ensureReserve()
        return true
    }
}
