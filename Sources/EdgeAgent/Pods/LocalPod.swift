import EdgeAPI

/// What the agent remembers of a pod between syncs, beyond its directory:
/// crash-loop delays, pending kills and the status it last wrote. Lost on a
/// restart, which only costs a status write and a fresh backoff.
struct LocalPod: Sendable {
    var namespace: String
    var name: String
    var uid: String
    var sandboxReady = false
    /// Set once a finished pod's roots, tmpfs volumes and namespace are released, so resyncs do not repeat it.
    var mountsReleased = false
    var volumes: [String: VolumeBuilder.Prepared] = [:]
    /// When the projected service account tokens are due for renewal (80 % of their life).
    var tokensDue: ContinuousClock.Instant?
    var backoff: [String: RestartBackoff] = [:]
    /// Per container: the exited attempt being waited on, when it may restart, and the delay shown.
    var restartAt: [String: (attempt: Int, at: ContinuousClock.Instant, delay: Duration)] = [:]
    var pullBackoff: [String: RestartBackoff] = [:]
    var waiting: [String: (reason: String, message: String)] = [:]
    /// "name/attempt" -> when SIGKILL follows the SIGTERM already sent.
    var killDeadlines: [String: ContinuousClock.Instant] = [:]
    /// Directories of instances seen running, which housekeeping watches for exit.json.
    var running: Set<String> = []
    var imageIDs: [String: String] = [:]
    /// The pod's addresses from the pod network (network.json); empty for hostNetwork and loopback-only pods.
    var podIPs: [String] = []
    /// The recorded network was checked once since the agent started (CNI CHECK after a restart).
    var networkChecked = false
    var lastStatus: JSON?
    var terminationStarted: ContinuousClock.Instant?
    /// Set when the eviction manager evicted the pod (its message): no status but Failed/Evicted is written after.
    var evicted: String?

    var key: String { namespace + "/" + name }
}
