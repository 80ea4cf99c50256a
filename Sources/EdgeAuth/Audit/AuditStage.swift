/// When in a request's life an audit event is written (audit.k8s.io/v1 Stage):
/// as it arrives (after authentication), when a long-running response (watch,
/// exec) starts, when the response is complete, or when the server failed it.
public enum AuditStage: String, Sendable, CaseIterable {
    case requestReceived = "RequestReceived"
    case responseStarted = "ResponseStarted"
    case responseComplete = "ResponseComplete"
    case panic = "Panic"
}
