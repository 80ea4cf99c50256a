import EdgeAPI
import Synchronization

/// Remembers creations and deletions a controller has asked for but its cache
/// has not shown yet, so a reconcile running before the watch catches up does
/// not create (or delete) the same pods twice. Expectations expire, so a lost
/// event can only delay a controller, never wedge it.
public final class Expectations: Sendable {
    struct Pending {
        var adds: Int
        var deletes: Set<String>
        var setAt: ContinuousClock.Instant
    }

    private let pending = Mutex<[String: Pending]>([:])
    let ttl: Duration

    public init(ttl: Duration = .seconds(60)) { self.ttl = ttl }

    public func expect(_ key: String, adds: Int = 0, deletes: [String] = []) {
        pending.withLock { $0[key] = Pending(adds: adds, deletes: Set(deletes), setAt: .now) }
    }

    /// An object for `key` was observed created.
    public func observedAdd(_ key: String) {
        pending.withLock { p in if p[key] != nil { p[key]!.adds = max(0, p[key]!.adds - 1) } }
    }

    public func observedDelete(_ key: String, name: String) {
        pending.withLock { p in _ = p[key]?.deletes.remove(name) }
    }

    /// Creation that failed will never be observed.
    public func lowerAdds(_ key: String, by n: Int) {
        pending.withLock { p in if p[key] != nil { p[key]!.adds = max(0, p[key]!.adds - n) } }
    }

    public func satisfied(_ key: String) -> Bool {
        pending.withLock { p in
            guard let e = p[key] else { return true }
            if (e.adds <= 0 && e.deletes.isEmpty) || ContinuousClock.now - e.setAt > ttl {
                p[key] = nil
                return true
            }
            return false
        }
    }

    public func forget(_ key: String) { pending.withLock { _ = $0.removeValue(forKey: key) } }
}
