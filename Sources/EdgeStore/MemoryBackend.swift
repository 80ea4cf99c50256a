import Synchronization

/// The Backend contract held in memory: the fake every unit test uses, with the
/// same revision, compare-and-swap, watch and compaction semantics as SQLite.
public final class MemoryBackend: Backend {
    struct Row {
        var kv: KeyValue
        var deleted: Bool
        var prev: KeyValue?
        var isCreate: Bool
    }

    struct State {
        var revision: Int64 = 0
        var compactedAt: Int64 = 0
        /// Every write in revision order (history for list-at-revision and watch replay).
        var log: [Row] = []
        /// Latest live value per key.
        var live: [String: KeyValue] = [:]
        var watchers: [Int: Watcher] = [:]
        var nextWatcher = 0
        var closed = false
    }

    struct Watcher {
        var prefix: String
        var continuation: AsyncThrowingStream<WatchEvent, Error>.Continuation
    }

    private let state = Mutex(State())
    /// Tests of several servers on one store set it, as etcd and PostgreSQL are.
    public let sharedWithOtherServers: Bool

    public init(sharedWithOtherServers: Bool = false) {
        self.sharedWithOtherServers = sharedWithOtherServers
    }

    public func get(_ key: String) async throws -> KeyValue? {
        state.withLock { $0.live[key] }
    }

    public func list(prefix: String, revision: Int64, startAfter: String?, limit: Int) async throws -> ListResult {
        try state.withLock { s in
            let rev = revision == 0 ? s.revision : revision
            if revision != 0 && revision < s.compactedAt { throw StoreError.compacted(requested: revision, compactedAt: s.compactedAt) }
            if rev > s.revision { throw StoreError.futureRevision(requested: rev, current: s.revision) }
            var view: [String: KeyValue] = [:]
            if rev == s.revision {
                view = s.live.filter { $0.key.hasPrefix(prefix) }
            } else {
                for row in s.log where row.kv.modRevision <= rev && row.kv.key.hasPrefix(prefix) {
                    if row.deleted { view[row.kv.key] = nil } else { view[row.kv.key] = row.kv }
                }
            }
            var keys = view.keys.sorted()
            if let startAfter { keys = keys.filter { $0 > startAfter } }
            var more = false
            if limit > 0 && keys.count > limit {
                keys = Array(keys.prefix(limit))
                more = true
            }
            return ListResult(items: keys.map { view[$0]! }, revision: rev, more: more)
        }
    }

    public func count(prefix: String) async throws -> Int {
        state.withLock { s in s.live.keys.filter { $0.hasPrefix(prefix) }.count }
    }

    public func create(_ key: String, value: [UInt8]) async throws -> Int64 {
        try write { s in
            if s.live[key] != nil { throw StoreError.alreadyExists(key: key) }
            let rev = s.revision + 1
            return (Row(kv: KeyValue(key: key, value: value, createRevision: rev, modRevision: rev), deleted: false, prev: nil, isCreate: true), rev)
        }
    }

    public func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64 {
        try write { s in
            guard let cur = s.live[key] else { throw StoreError.notFound(key: key) }
            if cur.modRevision != expectedRevision { throw StoreError.conflict(key: key, currentRevision: cur.modRevision) }
            let rev = s.revision + 1
            return (Row(kv: KeyValue(key: key, value: value, createRevision: cur.createRevision, modRevision: rev), deleted: false, prev: cur, isCreate: false), rev)
        }
    }

    public func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue {
        try write { s in
            guard let cur = s.live[key] else { throw StoreError.notFound(key: key) }
            if let e = expectedRevision, cur.modRevision != e { throw StoreError.conflict(key: key, currentRevision: cur.modRevision) }
            let rev = s.revision + 1
            var gone = cur
            gone.modRevision = rev
            return (Row(kv: gone, deleted: true, prev: cur, isCreate: false), gone)
        }
    }

    /// Applies one write under the lock and notifies watchers in revision order.
    private func write<T>(_ body: (inout State) throws -> (Row, T)) throws -> T {
        try state.withLock { s in
            if s.closed { throw StoreError.closed }
            let (row, result) = try body(&s)
            s.revision = row.kv.modRevision
            s.log.append(row)
            if row.deleted { s.live[row.kv.key] = nil } else { s.live[row.kv.key] = row.kv }
            let ev = Self.event(row)
            for w in s.watchers.values where row.kv.key.hasPrefix(w.prefix) { w.continuation.yield(ev) }
            return result
        }
    }

    static func event(_ row: Row) -> WatchEvent {
        WatchEvent(type: row.deleted ? .delete : .put, kv: row.kv, prevKV: row.prev, isCreate: row.isCreate)
    }

    public func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error> {
        let (stream, cont) = AsyncThrowingStream<WatchEvent, Error>.makeStream()
        let id: Int? = state.withLock { s in
            if afterRevision < s.compactedAt {
                cont.finish(throwing: StoreError.compacted(requested: afterRevision, compactedAt: s.compactedAt))
                return nil
            }
            // Replay and subscribe under one lock: no write can fall between them.
            for row in s.log where row.kv.modRevision > afterRevision && row.kv.key.hasPrefix(prefix) {
                cont.yield(Self.event(row))
            }
            let id = s.nextWatcher
            s.nextWatcher += 1
            s.watchers[id] = Watcher(prefix: prefix, continuation: cont)
            return id
        }
        if let id {
            cont.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
            }
        }
        return stream
    }

    public func compact(revision: Int64) async throws {
        state.withLock { s in
            guard revision > s.compactedAt else { return }
            let rev = min(revision, s.revision)
            // Keep every row newer than the compaction point, and the latest live row of each key.
            var latestLive: [String: Int64] = [:]
            for row in s.log where row.kv.modRevision <= rev { latestLive[row.kv.key] = row.deleted ? nil : row.kv.modRevision }
            s.log = s.log.filter { $0.kv.modRevision > rev || latestLive[$0.kv.key] == $0.kv.modRevision }
            s.compactedAt = rev
        }
    }

    public func currentRevision() async throws -> Int64 { state.withLock { $0.revision } }

    public func compactedRevision() async throws -> Int64 { state.withLock { $0.compactedAt } }

    public func close() async {
        state.withLock { s in
            s.closed = true
            for w in s.watchers.values { w.continuation.finish() }
            s.watchers = [:]
        }
    }
}
