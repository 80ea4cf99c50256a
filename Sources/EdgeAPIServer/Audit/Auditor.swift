import EdgeAuth

/// Auditing as configured (`--audit-policy-file` with `--audit-log-path`): the
/// policy that picks each request's level and the sink its events go to.
public struct Auditor: Sendable {
    public let policy: AuditPolicy
    public let sink: any AuditSink

    public init(policy: AuditPolicy, sink: any AuditSink) {
        self.policy = policy
        self.sink = sink
    }
}
