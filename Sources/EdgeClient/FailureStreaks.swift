import Synchronization

/// Which failures of a retried operation are worth a log line: the first of a
/// streak and any that says something new, not each retry of the same failure
/// (a controller retries a key with backoff for as long as it fails, an agent
/// renews its lease every 10 s); and the recovery, once, when the streak ends.
/// Keyed by what is retried (a controller's key, "lease"), bounded so keys that
/// never succeed again (deleted objects) cannot grow it without end.
public final class FailureStreaks: Sendable {
    struct Streak {
        var message: String
        var count: Int
    }

    private let streaks = Mutex<[String: Streak]>([:])
    let limit: Int

    public init(limit: Int = 4096) { self.limit = limit }

    /// Records a failure of `key`; true when it should be logged: the streak's
    /// first failure, or one whose message differs from the last logged.
    public func failed(_ key: String, _ error: any Error) -> Bool {
        let message = "\(error)"
        return streaks.withLock { s in
            if var streak = s[key] {
                streak.count += 1
                let changed = streak.message != message
                if changed { streak.message = message }
                s[key] = streak
                return changed
            }
            // Forgetting every streak at the bound only means a repeat may be logged once more.
            if s.count >= limit { s.removeAll() }
            s[key] = Streak(message: message, count: 1)
            return true
        }
    }

    /// Records a success of `key`; the number of failures that came before it
    /// when this ends a streak (log the recovery), nil when there was none.
    public func succeeded(_ key: String) -> Int? {
        streaks.withLock { $0.removeValue(forKey: key)?.count }
    }

    /// Forgets `key` without a recovery (the object is gone).
    public func forget(_ key: String) {
        streaks.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Streaks under way.
    public var count: Int { streaks.withLock { $0.count } }
}
