/// Where audit events go (upstream's audit.Sink): the log file backend, or a
/// test's memory. `write` answers false when the event could not be stored;
/// the request is then refused, as upstream's blocking log backend does.
public protocol AuditSink: Sendable {
    func write(_ event: AuditEvent) -> Bool
}
