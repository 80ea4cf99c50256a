/// An error answer from etcd: a gRPC status code and etcd's message ("etcdserver: ...").
struct EtcdError: Error, Sendable, CustomStringConvertible {
    var status: Int
    /// gRPC code: 4 DeadlineExceeded, 8 ResourceExhausted, 11 OutOfRange, 14 Unavailable ...
    var code: Int64
    var message: String

    var description: String { "etcd: \(message) (code \(code))" }

    var isCompacted: Bool { message.contains("required revision has been compacted") }
    var isFutureRevision: Bool { message.contains("required revision is a future revision") }
    var isNoSpace: Bool { message.contains("database space exceeded") }

    /// Errors that say "not now" (no leader, a leader change, a timeout, a member shutting down):
    /// the request may be retried, and the API server answers 503.
    var isTransient: Bool {
        if code == 4 || code == 14 { return true }
        let transient = ["request timed out", "leader changed", "no leader", "too many requests", "server stopped",
                         "not capable", "timed out waiting for read index", "raft proposal dropped", "connection refused"]
        return transient.contains { message.contains($0) }
    }
}
