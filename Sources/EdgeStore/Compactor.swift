/// Compacts the store on a schedule to the revision it had `retention` ago,
/// so watches and paged lists can resume within that window (older ones get
/// 410 Gone) while history never grows without bound. Default: every minute,
/// keeping at least 5 minutes.
public struct Compactor: Sendable {
    public let backend: any Backend
    public let interval: Duration
    public let retention: Duration

    public init(backend: any Backend, interval: Duration = .seconds(60), retention: Duration = .seconds(300)) {
        self.backend = backend
        self.interval = interval
        self.retention = retention
    }

    /// Samples (time, revision) each interval; compacts to the newest sample at
    /// least `retention` old, so everything newer than that stays.
    public func run() async {
        var samples: [(at: ContinuousClock.Instant, revision: Int64)] = []
        while !Task.isCancelled {
            if let rev = try? await backend.currentRevision() {
                let now = ContinuousClock.now
                samples.append((now, rev))
                if let i = samples.lastIndex(where: { now - $0.at >= retention }) {
                    try? await backend.compact(revision: samples[i].revision)
                    samples.removeFirst(i + 1)
                }
            }
            try? await Task.sleep(for: interval)
        }
    }
}
