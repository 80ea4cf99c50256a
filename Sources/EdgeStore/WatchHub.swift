import Synchronization

/// Fans committed events out to watchers in revision order, with a ring of
/// recent events so a watcher starting slightly in the past needs no query.
/// The ring is bounded by events and by bytes (values are whole stored
/// objects): on a small board it must not hold megabytes of objects that
/// every client already has; older history comes from the database.
/// A watcher that falls too far behind is ended with `watcherTooSlow` rather
/// than buffering without bound; its client re-lists, as with Kubernetes.
final class WatchHub: Sendable {
    struct Watcher {
        var prefix: String
        var continuation: AsyncThrowingStream<WatchEvent, Error>.Continuation
        /// While replaying history from the database: live events wait here.
        var pending: [WatchEvent]?
        var lastSent: Int64
    }

    struct State {
        var watchers: [Int: Watcher] = [:]
        var nextID = 0
        /// Oldest first, from `ringHead` on; the slots before it are dropped lazily.
        var ring: [WatchEvent] = []
        var ringHead = 0
        var ringBytes = 0
        /// Newest revision published.
        var published: Int64 = 0
        var closed = false
    }

    let ringSize: Int
    let ringByteLimit: Int
    let perWatcherBuffer: Int
    private let state = Mutex(State())

    init(currentRevision: Int64, ringSize: Int = 2048, ringByteLimit: Int = 1 << 20, perWatcherBuffer: Int = 10_000) {
        self.ringSize = ringSize
        self.ringByteLimit = ringByteLimit
        self.perWatcherBuffer = perWatcherBuffer
        state.withLock { $0.published = currentRevision }
    }

    /// Called by the single writer after each commit, in revision order.
    func publish(_ events: [WatchEvent]) {
        guard !events.isEmpty else { return }
        // Copies sized to their content: the serializer's buffers carry up to twice their size in capacity.
        let kept = events.map(Self.compacted)
        // A stream's finish() runs its onTermination (which locks `state` to remove the watcher) at once:
        // watchers that fell behind are finished after the lock is released.
        let tooSlow = state.withLock { s -> [AsyncThrowingStream<WatchEvent, Error>.Continuation] in
            for e in kept {
                s.ring.append(e)
                s.ringBytes += Self.size(e)
            }
            while s.ring.count - s.ringHead > 1 && (s.ring.count - s.ringHead > ringSize || s.ringBytes > ringByteLimit) {
                s.ringBytes -= Self.size(s.ring[s.ringHead])
                s.ring[s.ringHead] = Self.dropped  // its value is freed now, not when the slots are reclaimed
                s.ringHead += 1
            }
            if s.ringHead >= 64 && s.ringHead * 2 >= s.ring.count {
                s.ring.removeFirst(s.ringHead)
                s.ringHead = 0
            }
            s.published = events.last!.kv.modRevision
            var ended: [Int] = []
            for (id, var w) in s.watchers {
                for e in kept where e.kv.key.hasPrefix(w.prefix) {
                    if w.pending != nil { w.pending!.append(e); continue }
                    if e.kv.modRevision <= w.lastSent { continue }
                    if case .dropped = w.continuation.yield(e) {
                        ended.append(id)
                        break
                    }
                    w.lastSent = e.kv.modRevision
                }
                s.watchers[id] = w
            }
            let slow = ended.compactMap { s.watchers[$0]?.continuation }
            for id in ended { s.watchers[id] = nil }
            return slow
        }
        for c in tooSlow { c.finish(throwing: StoreError.database("watcher too slow: more than \(perWatcherBuffer) events behind")) }
    }

    /// Events in the ring after `revision`, if the ring reaches back that far.
    private func ringEvents(after revision: Int64, _ s: State) -> ArraySlice<WatchEvent>? {
        let live = s.ring[s.ringHead...]
        guard let first = live.first else { return revision >= s.published ? [] : nil }
        if first.kv.modRevision > revision + 1 && revision < s.published { return nil }
        // Revisions ascend: find the first one after `revision` by bisection.
        var lo = live.startIndex, hi = live.endIndex
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if live[mid].kv.modRevision > revision { hi = mid } else { lo = mid + 1 }
        }
        return live[lo...]
    }

    static let dropped = WatchEvent(type: .put, kv: KeyValue(key: "", value: [], createRevision: 0, modRevision: 0), prevKV: nil, isCreate: false)

    /// Bytes an event holds in the ring.
    static func size(_ e: WatchEvent) -> Int {
        e.kv.value.count + e.kv.key.utf8.count + (e.prevKV.map { $0.value.count + $0.key.utf8.count } ?? 0) + 64
    }

    static func compacted(_ e: WatchEvent) -> WatchEvent {
        var c = e
        c.kv.value = exactCopy(e.kv.value)
        if let p = e.prevKV { c.prevKV?.value = exactCopy(p.value) }
        return c
    }

    static func exactCopy(_ b: [UInt8]) -> [UInt8] {
        if b.capacity <= b.count + b.count / 8 { return b }
        return [UInt8](unsafeUninitializedCapacity: b.count) { buf, n in
            _ = buf.initialize(from: b)
            n = b.count
        }
    }

    /// Starts a watcher; `replay` reads history from the database when the ring
    /// does not reach back far enough (it runs outside the lock; live events
    /// arriving meanwhile are held and delivered after, without duplicates).
    func watch(prefix: String, after revision: Int64,
               replay: @escaping @Sendable (_ after: Int64, _ upTo: Int64) async throws -> [WatchEvent]) -> AsyncThrowingStream<WatchEvent, Error> {
        let (stream, cont) = AsyncThrowingStream<WatchEvent, Error>.makeStream(bufferingPolicy: .bufferingOldest(perWatcherBuffer))
        let setup: (id: Int, needsReplay: Bool, upTo: Int64)? = state.withLock { s in
            if s.closed { cont.finish(); return nil }
            let id = s.nextID
            s.nextID += 1
            if let recent = ringEvents(after: revision, s) {
                var last = revision
                for e in recent where e.kv.key.hasPrefix(prefix) {
                    cont.yield(e)
                    last = e.kv.modRevision
                }
                s.watchers[id] = Watcher(prefix: prefix, continuation: cont, pending: nil, lastSent: max(last, s.published))
                return (id, false, s.published)
            }
            s.watchers[id] = Watcher(prefix: prefix, continuation: cont, pending: [], lastSent: revision)
            return (id, true, s.published)
        }
        guard let setup else { return stream }
        cont.onTermination = { [weak self] _ in self?.remove(setup.id) }
        if setup.needsReplay {
            Task.detached { [self] in
                do {
                    let history = try await replay(revision, setup.upTo)
                    self.finishReplay(setup.id, history: history, upTo: setup.upTo)
                } catch {
                    cont.finish(throwing: error)
                    self.remove(setup.id)
                }
            }
        }
        return stream
    }

    private func finishReplay(_ id: Int, history: [WatchEvent], upTo: Int64) {
        state.withLock { s in
            guard var w = s.watchers[id] else { return }
            var last = w.lastSent
            for e in history where e.kv.modRevision > last {
                w.continuation.yield(e)
                last = e.kv.modRevision
            }
            for e in w.pending ?? [] where e.kv.modRevision > last {
                w.continuation.yield(e)
                last = e.kv.modRevision
            }
            w.pending = nil
            w.lastSent = max(last, upTo)
            s.watchers[id] = w
        }
    }

    private func remove(_ id: Int) { state.withLock { _ = $0.watchers.removeValue(forKey: id) } }

    var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// Forgets the recent events, for a quiet moment after a burst (SQLiteBackend.releaseMemory):
    /// otherwise the ring holds up to `ringByteLimit` of the burst's objects until
    /// the next writes push them out. A watcher starting at the present needs none
    /// of them; one starting further back is served from the database, as when the
    /// ring has moved past its revision. Like upstream's watch cache, which keeps
    /// events by capacity and a freshness window, not for ever.
    func releaseHistory() {
        let old = state.withLock { s -> [WatchEvent] in
            defer {
                s.ring = []
                s.ringHead = 0
                s.ringBytes = 0
            }
            return s.ring
        }
        _ = old // freed here, outside the lock
    }

    /// Events and bytes the ring holds now.
    var ringUsage: (events: Int, bytes: Int) { state.withLock { ($0.ring.count - $0.ringHead, $0.ringBytes) } }

    /// The newest revision published.
    var publishedRevision: Int64 { state.withLock { $0.published } }

    /// Ends every watcher with `error` and starts over at `revision` with an empty ring: the history
    /// between what was published and `revision` is gone (compacted while the feed was cut off), so
    /// watchers must relist, as after any compaction.
    func reset(to revision: Int64, endingWatchersWith error: Error) {
        // Finished outside the lock, as in close(): each stream's onTermination locks `state`.
        let open = state.withLock { s in
            defer {
                s.watchers = [:]
                s.ring = []
                s.ringHead = 0
                s.ringBytes = 0
                s.published = revision
            }
            return s.watchers.values.map(\.continuation)
        }
        for c in open { c.finish(throwing: error) }
    }

    func close() {
        // Finished outside the lock: each stream's onTermination locks `state` to remove its watcher.
        let open = state.withLock { s in
            s.closed = true
            defer { s.watchers = [:] }
            return s.watchers.values.map(\.continuation)
        }
        for c in open { c.finish() }
    }
}
