import EdgeAPI
import Synchronization

/// A queue of object keys for a controller, with client-go's guarantees:
/// a key waiting twice is queued once, a key is never handed to two workers at
/// once (if it changes while being worked on, it is queued again after), and
/// failures come back with per-key exponential backoff.
public final class WorkQueue: Sendable {
    struct State {
        var queue: [String] = []
        var queued: Set<String> = []
        var processing: Set<String> = []
        /// Added again while processing: requeue when done.
        var dirty: Set<String> = []
        var failures: [String: Int] = [:]
        var waiters: [CheckedContinuation<String?, Never>] = []
        var shutDown = false
        /// Keys waiting to be added after a delay: when, and the task that will add them.
        var waiting: [String: Waiting] = [:]
    }

    struct Waiting {
        var at: ContinuousClock.Instant
        var task: Task<Void, Never>?
    }

    private let state = Mutex(State())
    let baseDelay: Duration
    let maxDelay: Duration

    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(60)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public func add(_ key: String) {
        let waiter: CheckedContinuation<String?, Never>? = state.withLock { s in
            if s.shutDown { return nil }
            if s.processing.contains(key) { s.dirty.insert(key); return nil }
            if s.queued.contains(key) { return nil }
            if !s.waiters.isEmpty {
                s.processing.insert(key)
                return s.waiters.removeFirst()
            }
            s.queued.insert(key)
            s.queue.append(key)
            return nil
        }
        waiter?.resume(returning: key)
    }

    /// Delays are capped at a day: they are often computed from objects (TTLs, grace
    /// periods of any int64), Task.sleep traps past Int64 seconds from now, and a key
    /// looked at early is simply put back.
    ///
    /// A key already waiting waits once, for the earlier of the two times (client-go's
    /// delaying queue): one task per request used to pile up, each update of an object
    /// requeued for next year leaving another task asleep until then.
    public func addAfter(_ key: String, _ delay: Duration) {
        let delay = min(max(delay, .zero), .longestSleep)
        let at = ContinuousClock.now + delay
        let replaced: Task<Void, Never>?? = state.withLock { s in
            if let w = s.waiting[key], w.at <= at { return .none }
            let old = s.waiting[key]?.task
            s.waiting[key] = Waiting(at: at, task: nil)
            return .some(old)
        }
        guard case .some(let old) = replaced else { return }
        old?.cancel()
        let task = Task {
            try? await Task.sleep(until: at, clock: .continuous)
            if Task.isCancelled { return }
            let due = self.state.withLock { s -> Bool in
                guard s.waiting[key]?.at == at else { return false }
                s.waiting[key] = nil
                return true
            }
            if due { self.add(key) }
        }
        state.withLock { s in
            if s.waiting[key]?.at == at { s.waiting[key]?.task = task }
        }
    }

    /// Keys waiting for their delay to pass.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Requeues after a delay that doubles with each consecutive failure of the key.
    public func addRateLimited(_ key: String) {
        let n = state.withLock { s -> Int in
            let n = s.failures[key, default: 0]
            s.failures[key] = n + 1
            return n
        }
        var delay = baseDelay
        for _ in 0..<min(n, 30) { delay = delay * 2; if delay >= maxDelay { delay = maxDelay; break } }
        addAfter(key, delay)
    }

    /// Clears the failure count (after a successful reconcile).
    public func forget(_ key: String) { state.withLock { _ = $0.failures.removeValue(forKey: key) } }

    public func failures(_ key: String) -> Int { state.withLock { $0.failures[key, default: 0] } }

    /// The next key (marked as processing), or nil once the queue shuts down.
    public func get() async -> String? {
        await withCheckedContinuation { (cont: CheckedContinuation<String?, Never>) in
            let ready: String?? = state.withLock { s in
                if !s.queue.isEmpty {
                    let k = s.queue.removeFirst()
                    s.queued.remove(k)
                    s.processing.insert(k)
                    return .some(k)
                }
                if s.shutDown { return .some(nil) }
                s.waiters.append(cont)
                return .none
            }
            if let r = ready { cont.resume(returning: r) }
        }
    }

    /// Marks a key finished; if it was added meanwhile, it is queued again.
    public func done(_ key: String) {
        let again = state.withLock { s -> Bool in
            s.processing.remove(key)
            return s.dirty.remove(key) != nil
        }
        if again { add(key) }
    }

    public var count: Int { state.withLock { $0.queue.count } }

    public func shutDown() {
        let waiters = state.withLock { s -> [CheckedContinuation<String?, Never>] in
            s.shutDown = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(returning: nil) }
    }
}
