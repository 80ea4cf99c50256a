import EdgeAgent

/// Runs commands inside running containers for exec probes and preStop hooks.
/// Until the runtime's exec lands, there is none: probes and hooks that need
/// it report that plainly instead of pretending to pass.
enum ContainerExecutor {
    static let run: (@Sendable (PodManager.ExecRequest) async -> (ok: Bool, output: String))? = nil
}
