import Synchronization

/// kubelet's image garbage collection for this agent: on the pod manager's housekeeping ticks it
/// measures the image filesystem (one statvfs) every `checkInterval`, or at the next tick after a
/// container failed to start, and once usage reaches the high threshold removes unused images,
/// least recently used first, until usage is back at the low threshold. No thread of its own:
/// the removal's file work runs on Dispatch's threads like the agent's other blocking calls.
public final class ImageGCManager: Sendable {
    public let policy: ImageGCPolicy
    let store: any CollectableImageStore
    /// The agent's log, for what each collection removed and freed.
    let log: @Sendable (String) -> Void

    struct Schedule {
        /// nil: check at the first tick.
        var nextCheck: ContinuousClock.Instant?
        var checkRequested = false
        /// After a shortfall or a failure, no check until then (see ImageGCPolicy.retryAfterShortfall).
        var quietUntil: ContinuousClock.Instant?
    }
    let schedule = Mutex(Schedule())

    public init(policy: ImageGCPolicy, store: any CollectableImageStore, log: @escaping @Sendable (String) -> Void) {
        self.policy = policy
        self.store = store
        self.log = log
    }

    /// A container could not start, perhaps for lack of space: measure at the next tick instead of
    /// waiting out the interval (still only after a shortfall's quiet period).
    public func requestCheck() {
        schedule.withLock { $0.checkRequested = true }
    }

    /// Called on every housekeeping tick: nil when no check was due, else what the check found and did.
    /// `imagesInUse` is asked only when images are to be removed.
    public func runIfDue(now: ContinuousClock.Instant, imagesInUse: () -> ImagesInUse) async -> ImageGCOutcome? {
        let interval = policy.checkInterval
        let due = schedule.withLock { s -> Bool in
            if let quiet = s.quietUntil, now < quiet { return false }
            guard s.checkRequested || s.nextCheck.map({ now >= $0 }) ?? true else { return false }
            s.checkRequested = false
            s.nextCheck = now + interval
            return true
        }
        guard due else { return nil }
        let outcome = await check(imagesInUse: imagesInUse)
        switch outcome {
        case .shortfall, .failed: schedule.withLock { $0.quietUntil = now + policy.retryAfterShortfall }
        case .belowThreshold, .freed: schedule.withLock { $0.quietUntil = nil }
        }
        return outcome
    }

    /// One measurement, and a collection if usage is at or over the high threshold.
    func check(imagesInUse: () -> ImagesInUse) async -> ImageGCOutcome {
        let usage: FilesystemUsage
        do {
            usage = try store.imageFilesystemUsage()
        } catch {
            return .failed("\(error)")
        }
        let needed = policy.bytesToFree(usage)
        guard needed > 0 else { return .belowThreshold(usagePercent: usage.usagePercent) }
        let keep = imagesInUse()
        let store = self.store
        let minimumAge = policy.minimumAge
        do {
            let removal = try await Blocking.run { try store.removeUnusedImages(keeping: keep, bytesToFree: needed, minimumAge: minimumAge) }
            return removal.freedBytes >= needed
                ? .freed(usagePercent: usage.usagePercent, bytesToFree: needed, removal: removal)
                : .shortfall(usagePercent: usage.usagePercent, bytesToFree: needed, removal: removal)
        } catch {
            return .failed("failed to remove unused images: \(error)")
        }
    }
}
