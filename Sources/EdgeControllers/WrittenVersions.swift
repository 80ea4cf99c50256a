import EdgeAPI
import Synchronization

/// The resourceVersion a controller last wrote per key, so a reconcile that reads its own
/// object from a cache that has not caught up with that write yet (a slow server: a board,
/// or emulation) waits for it instead of deciding from the older copy.
public final class WrittenVersions: Sendable {
    private let versions = Mutex<[String: UInt64]>([:])

    public init() {}

    static func version(_ obj: JSON) -> UInt64? {
        obj[path: ["metadata", "resourceVersion"]]?.string.flatMap { UInt64($0) }
    }

    public func record(_ key: String, _ written: JSON) {
        guard let v = Self.version(written) else { return }
        versions.withLock { $0[key] = max($0[key] ?? 0, v) }
    }

    /// True when `cached` is older than what this controller last wrote for `key`.
    public func isStale(_ key: String, _ cached: JSON) -> Bool {
        guard let v = Self.version(cached) else { return false }
        return versions.withLock { v < ($0[key] ?? 0) }
    }

    public func forget(_ key: String) { versions.withLock { _ = $0.removeValue(forKey: key) } }
}
