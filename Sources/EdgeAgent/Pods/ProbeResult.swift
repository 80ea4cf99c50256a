/// The latest verdicts of one container instance's probes.
struct ProbeResult: Sendable, Equatable {
    /// Readiness: false until the probe passes (true at once without a probe).
    var ready: Bool
    /// Startup: true once passed (at once without a probe); liveness and readiness wait for it.
    var started: Bool
    /// Set when liveness or startup failed enough times: the container is to be restarted.
    var failedProbe: String?
}
