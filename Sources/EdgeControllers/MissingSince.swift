import Synchronization

/// When each key was first seen in a state (pod GC: bound to a missing node).
final class MissingSince: Sendable {
    private let since = Mutex<[String: Int64]>([:])

    /// Seconds since `key` was first reported, recording it now if new.
    func seconds(_ key: String, now: Int64) -> Int64 {
        since.withLock { s in
            if let t = s[key] { return now - t }
            s[key] = now
            return 0
        }
    }

    func clear(_ key: String) { since.withLock { _ = $0.removeValue(forKey: key) } }
}
