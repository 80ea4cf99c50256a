import Logging
import Synchronization

/// Brings every committed write, from any server, to this server's watchers: woken by NOTIFY (a
/// LISTEN connection of its own), by this server's own commits, and once a second regardless, it reads
/// the rows after the last revision it published, in revision order, and publishes them to the WatchHub.
/// Nothing depends on a notification arriving: each wake-up reads everything not yet published, so an
/// outage of the database or of the link ends with a catch-up, not a gap.
final class PostgresChangeFeed: Sendable {
    let pool: PostgresPool
    let hub: WatchHub
    let schema: KVSchema
    let channel: String
    let log = Logger(label: "edgectl.store.postgres")
    private let kicks: AsyncStream<Void>
    private let kick: AsyncStream<Void>.Continuation
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let listener = Mutex<PostgresConnection?>(nil)
    /// The newest compaction point read from the database (or made by this server).
    let compacted = Mutex<Int64>(0)
    static let pageSize: Int64 = 1000

    init(pool: PostgresPool, hub: WatchHub, schema: KVSchema, channel: String) {
        self.pool = pool
        self.hub = hub
        self.schema = schema
        self.channel = channel
        (kicks, kick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func wake() { kick.yield() }

    func start() {
        let poll = Task { await self.pollLoop() }
        let listen = Task { await self.listenLoop() }
        let timer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                self.wake()
            }
        }
        tasks.withLock { $0 = [poll, listen, timer] }
    }

    func stop() async {
        let all = tasks.withLock { t -> [Task<Void, Never>] in
            defer { t.removeAll() }
            return t
        }
        kick.finish()
        for t in all { t.cancel() }
        listener.withLock { $0 }?.close()
        for t in all { await t.value }
    }

    private func pollLoop() async {
        var failing = false
        for await _ in kicks {
            if Task.isCancelled { break }
            do {
                try await catchUp()
                if failing { log.notice("change feed caught up at revision \(hub.publishedRevision)") }
                failing = false
            } catch {
                if Task.isCancelled { break }
                if !failing { log.warning("change feed cannot read the database, retrying: \(PostgresBackend.mapped(error))") }
                failing = true
            }
        }
    }

    /// Publishes every row after the hub's newest revision.
    func catchUp() async throws {
        try await pool.withConnection { c in
            while true {
                let published = hub.publishedRevision
                let meta = try await PostgresBackend.readMeta(c)
                compacted.withLock { $0 = max($0, meta.compacted) }
                if meta.compacted > published {
                    // History we had not published yet was compacted while we could not read it.
                    log.warning("change feed fell behind compaction (published \(published), compacted \(meta.compacted)): watchers relist")
                    hub.reset(to: meta.compacted, endingWatchersWith: StoreError.compacted(requested: published, compactedAt: meta.compacted))
                    continue
                }
                if meta.revision <= published { return }
                let events = try await Self.events(c.query(schema.feed, [.int(published), .int(Self.pageSize)]))
                hub.publish(events)
                if Int64(events.count) < Self.pageSize { return }
            }
        }
    }

    private func listenLoop() async {
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                let c = try await pool.connect()
                listener.withLock { $0 = c }
                try await c.simpleQuery("LISTEN \(channel)")
                delay = .milliseconds(200)
                wake() // anything committed while not listening
                while !Task.isCancelled {
                    _ = try await c.nextNotification()
                    wake()
                }
            } catch {
                if Task.isCancelled { break }
            }
            listener.withLock { $0 }?.close()
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    static func events(_ rows: [PostgresRow]) throws -> [WatchEvent] {
        rows.map { r in
            let name = r.text(1)
            let created = r.int(2) != 0
            let deleted = r.int(3) != 0
            let kv = KeyValue(key: name, value: r.bytes(6), createRevision: r.int(4), modRevision: r.int(0))
            var prev: KeyValue?
            if !created, !r.isNull(7), r.int(8) == 0 {
                prev = KeyValue(key: name, value: r.bytes(7), createRevision: r.int(4), modRevision: r.int(5))
            }
            return WatchEvent(type: deleted ? .delete : .put, kv: kv, prevKV: prev, isCreate: created)
        }
    }

    /// Stored events under `prefix` in (after, upTo] for a watcher starting in the past; `.compacted`
    /// when compaction has removed part of that range.
    static func history(_ c: PostgresConnection, schema: KVSchema, prefix: String, after: Int64, upTo: Int64) async throws -> [WatchEvent] {
        var out: [WatchEvent] = []
        var from = after
        while from < upTo {
            let rows = try await c.query(schema.history, [.int(from), .int(upTo), .text(prefix), .text(SQLiteBackend.prefixEnd(prefix)), .int(pageSize)])
            out += try events(rows)
            if Int64(rows.count) < pageSize { break }
            from = rows.last!.int(0)
        }
        let meta = try await PostgresBackend.readMeta(c)
        if meta.compacted > after { throw StoreError.compacted(requested: after, compactedAt: meta.compacted) }
        return out
    }
}
