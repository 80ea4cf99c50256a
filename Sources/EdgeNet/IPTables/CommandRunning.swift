/// Runs a host tool (iptables-restore, conntrack) with some input and
/// collects its output. A protocol so rule programming is tested with a fake.
public protocol CommandRunning: Sendable {
    /// nil when the program cannot be started at all (not installed).
    func run(_ argv: [String], input: String) -> CommandResult?
}
