import EdgeAPI
import Logging
import Synchronization

/// Lease-based leader election, as client-go's tools/leaderelection runs it for kube-scheduler and
/// kube-controller-manager: one coordination.k8s.io Lease per component in kube-system, held by the
/// instance that renews it. Several servers run the same components; only the holder's run.
///
/// Whether another holder's lease expired is judged by this process's own clock from when it last saw
/// the record change (as client-go does), never by comparing timestamps written by another machine.
/// A leader that cannot renew for `renewDeadline` stops leading before anyone else may take over
/// (`renewDeadline` < `leaseDuration`); one that is cancelled gives the lease up at once.
public final class LeaderElector: Sendable {
    public struct Timing: Sendable {
        public var leaseDuration: Duration
        public var renewDeadline: Duration
        public var retryPeriod: Duration

        public init(leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration) {
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }

        /// Shorter than upstream's 15/10/2 s so a dead leader's work moves within 15 s (10 s + one retry).
        public static let standard = Timing(leaseDuration: .seconds(10), renewDeadline: .seconds(7), retryPeriod: .seconds(2))
    }

    public let client: APIClient
    public let namespace: String
    public let name: String
    public let identity: String
    public let timing: Timing
    let log: Logger
    private let observed = Mutex<(spec: JSON?, at: ContinuousClock.Instant)>((nil, .now))
    private let leading = Mutex(false)

    static let leases = BuiltinResources.leases

    public init(client: APIClient, name: String, identity: String, namespace: String = "kube-system", timing: Timing = .standard) {
        self.client = client
        self.name = name
        self.identity = identity
        self.namespace = namespace
        self.timing = timing
        log = Logger(label: "edgectl.leader-election")
    }

    /// Whether this instance holds the lease now.
    public var isLeader: Bool { leading.withLock { $0 } }

    /// Until cancelled: waits for the lease, runs `lead` while holding it (cancelling it when the lease is
    /// lost, then trying again), and gives the lease up when cancelled.
    public func run(_ lead: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            while !Task.isCancelled {
                if await tryAcquireOrRenew() { break }
                try? await Task.sleep(for: jittered(timing.retryPeriod))
            }
            if Task.isCancelled { break }
            log.notice("\(identity) became leader of \(namespace)/\(name)")
            leading.withLock { $0 = true }
            let work = Task { await lead() }
            var lastRenew = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: timing.retryPeriod)
                if Task.isCancelled { break }
                if await tryAcquireOrRenew() {
                    lastRenew = .now
                } else if ContinuousClock.now - lastRenew >= timing.renewDeadline {
                    log.warning("\(identity) lost \(namespace)/\(name): not renewed within \(timing.renewDeadline)")
                    break
                }
            }
            leading.withLock { $0 = false }
            work.cancel()
            await work.value
        }
        await release()
    }

    private func jittered(_ d: Duration) -> Duration { d + d * Double.random(in: 0..<0.2) }

    /// One round of client-go's tryAcquireOrRenew: true when this instance holds the lease afterwards.
    func tryAcquireOrRenew() async -> Bool {
        let now = Timestamp.now().rfc3339Micro
        let seconds = Int64(timing.leaseDuration.components.seconds)
        do {
            guard var lease = try await client.getIfExists(Self.leases, namespace: namespace, name: name) else {
                let spec: JSON = ["holderIdentity": .string(identity), "leaseDurationSeconds": .int(seconds),
                                  "acquireTime": .string(now), "renewTime": .string(now), "leaseTransitions": 0]
                let created = try await client.create(Self.leases, namespace: namespace, [
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec,
                ])
                observe(created["spec"])
                return true
            }
            let spec = lease["spec"] ?? [:]
            observe(spec)
            let holder = spec["holderIdentity"]?.string ?? ""
            if !holder.isEmpty && holder != identity {
                let duration = Duration.seconds(max(1, spec["leaseDurationSeconds"]?.int ?? seconds))
                let seenAt = observed.withLock { $0.at }
                if ContinuousClock.now - seenAt < duration { return false }
            }
            var next = spec
            next["holderIdentity"] = .string(identity)
            next["leaseDurationSeconds"] = .int(seconds)
            next["renewTime"] = .string(now)
            if holder != identity {
                next["acquireTime"] = .string(now)
                next["leaseTransitions"] = .int((spec["leaseTransitions"]?.int ?? 0) &+ 1)
            }
            lease["spec"] = next
            let updated = try await client.update(Self.leases, lease)
            observe(updated["spec"])
            return true
        } catch {
            if let e = error as? APIError, e.code == 409 { return false }
            log.debug("\(namespace)/\(name): \(error)")
            return false
        }
    }

    /// Remembers when the record last changed, by this process's clock.
    private func observe(_ spec: JSON?) {
        observed.withLock { o in
            if o.spec == nil || o.spec! != (spec ?? .null) { o = (spec, .now) }
        }
    }

    /// Gives the lease up (holder cleared) so another instance takes over at its next try.
    func release() async {
        guard let lease = try? await client.getIfExists(Self.leases, namespace: namespace, name: name),
              lease[path: ["spec", "holderIdentity"]]?.string == identity else { return }
        var next = lease
        next[path: ["spec", "holderIdentity"]] = .string("")
        next[path: ["spec", "leaseDurationSeconds"]] = 1
        next[path: ["spec", "renewTime"]] = .string(Timestamp.now().rfc3339Micro)
        if (try? await client.update(Self.leases, next)) != nil { log.notice("\(identity) released \(namespace)/\(name)") }
    }
}
