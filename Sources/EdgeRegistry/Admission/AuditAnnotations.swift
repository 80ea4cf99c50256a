import Synchronization

/// Annotations an admission step adds to the request's audit event, as
/// upstream's admission attributes carry them (Pod Security's
/// `pod-security.kubernetes.io/enforce-policy` and `audit-violations`). The API
/// server binds a collector to the request's task while auditing it; with no
/// audit log nothing is collected.
public final class AuditAnnotations: Sendable {
    @TaskLocal public static var current: AuditAnnotations?

    private let pairs = Mutex<[(String, String)]>([])

    public init() {}

    /// Records `key` for the request being served, if it is audited; a later value for a key replaces it.
    public static func add(_ key: String, _ value: String) {
        current?.pairs.withLock { p in
            if let i = p.firstIndex(where: { $0.0 == key }) { p[i].1 = value } else { p.append((key, value)) }
        }
    }

    public var all: [(String, String)] { pairs.withLock { $0 } }
}
