import EdgeAPI
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The Backend contract on PostgreSQL, shaped as kine's: the KVSchema log table whose id is the revision.
/// Several edgectl servers may share one database:
///
/// - Writes take the revision counter's row lock (`SELECT ... FOR UPDATE` on meta), so revisions are
///   handed out and committed in one order across every server, with no gaps; concurrent writes of one
///   server share a transaction (group commit), as with SQLite.
/// - Every commit NOTIFYs; each server's change feed (PostgresChangeFeed) reads the rows after the last
///   revision it published, in order, and fans them out to watchers (WatchHub). The notification only
///   wakes it: the read catches up on everything, so a lost notification or a dropped connection loses
///   no event; a periodic read covers a feed that hears nothing.
/// - While PostgreSQL is down calls fail with `StoreError.unavailable`; watches wait and resume.
public final class PostgresBackend: Backend {
    /// Several servers on one database: each reads what the others wrote.
    public var sharedWithOtherServers: Bool { true }
    let dsn: PostgresDSN
    let pool: PostgresPool
    let schema = KVSchema.postgres
    let hub: WatchHub
    let feed: PostgresChangeFeed
    let writer: PostgresWriter
    let log = Logger(label: "edgectl.store.postgres")
    private let ownsGroup: EventLoopGroup?

    static let channel = "edgectl_kv"
    /// Taken while migrating, so servers starting together migrate once.
    static let migrationLock: Int64 = 0x6564_6765_6374_6c00 // "edgectl\0"

    /// Connects, brings the schema up to date and starts the change feed. Fails with
    /// `StoreError.unavailable` when the database cannot be reached.
    public static func open(dsn: PostgresDSN, tls: DatastoreTLS = DatastoreTLS(), group: EventLoopGroup? = nil) async throws -> PostgresBackend {
        var owned: EventLoopGroup?
        let g: EventLoopGroup
        if let group { g = group } else {
            let own = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            owned = own
            g = own
        }
        let pool = PostgresPool(dsn: dsn, tls: tls, group: g)
        do {
            try await migrate(pool)
            let meta = try await pool.withConnection { c in try await readMeta(c) }
            let b = PostgresBackend(dsn: dsn, pool: pool, revision: meta.revision, ownsGroup: owned)
            b.feed.compacted.withLock { $0 = meta.compacted }
            return b
        } catch {
            pool.close()
            if let owned { try? await owned.shutdownGracefully() }
            throw mapped(error)
        }
    }

    private init(dsn: PostgresDSN, pool: PostgresPool, revision: Int64, ownsGroup: EventLoopGroup?) {
        self.dsn = dsn
        self.pool = pool
        self.ownsGroup = ownsGroup
        hub = WatchHub(currentRevision: revision)
        feed = PostgresChangeFeed(pool: pool, hub: hub, schema: schema, channel: Self.channel)
        let f = feed
        writer = PostgresWriter(pool: pool, schema: schema, channel: Self.channel, onCommit: { f.wake() })
        feed.start()
    }

    /// Applies the numbered migrations the database has not seen, under an advisory lock.
    static func migrate(_ pool: PostgresPool) async throws {
        let schema = KVSchema.postgres
        try await pool.withConnection { c in
            try await c.simpleQuery("SELECT pg_advisory_lock(\(migrationLock))")
            do {
                try await c.simpleQuery("CREATE TABLE IF NOT EXISTS \(schema.dialect.metaTable) (k text PRIMARY KEY, v bigint NOT NULL)")
                let rows = try await c.query("SELECT v FROM \(schema.dialect.metaTable) WHERE k = 'schema_version'")
                let version = rows.first?.int(0) ?? 0
                if version > schema.latestVersion {
                    throw StoreError.database("""
                        the PostgreSQL database holds edgectl schema version \(version), newer than this edgectl knows \
                        (\(schema.latestVersion)): run the newer edgectl
                        """)
                }
                for (i, sql) in schema.dialect.migrations.enumerated() where Int64(i + 1) > version {
                    try await c.simpleQuery("""
                        BEGIN; \(sql);
                        INSERT INTO \(schema.dialect.metaTable)(k, v) VALUES ('schema_version', \(i + 1))
                          ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;
                        COMMIT
                        """)
                }
            } catch {
                _ = try? await c.simpleQuery("ROLLBACK")
                _ = try? await c.simpleQuery("SELECT pg_advisory_unlock(\(migrationLock))")
                throw error
            }
            try await c.simpleQuery("SELECT pg_advisory_unlock(\(migrationLock))")
        }
    }

    /// The schema version recorded in the database.
    public func schemaVersion() async throws -> Int64 {
        try await read { c in try await c.query("SELECT v FROM \(self.schema.dialect.metaTable) WHERE k = 'schema_version'").first?.int(0) ?? 0 }
    }

    static func readMeta(_ c: PostgresConnection) async throws -> (revision: Int64, compacted: Int64) {
        var revision: Int64 = 0, compacted: Int64 = 0
        for row in try await c.query(KVSchema.postgres.meta) {
            if row.text(0) == "revision" { revision = row.int(1) } else { compacted = row.int(1) }
        }
        return (revision, compacted)
    }

    /// PostgreSQL's and the link's errors in the Backend's terms (never with the password).
    static func mapped(_ error: Error) -> Error {
        if let e = error as? PostgresError {
            return e.isTransient ? StoreError.unavailable(e.description) : StoreError.database(e.description)
        }
        return error
    }

    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do { return try await pool.withConnection(body) } catch { throw Self.mapped(error) }
    }

    // MARK: reads

    public func get(_ key: String) async throws -> KeyValue? {
        try await read { c in
            guard let row = try await c.query(self.schema.latest, [.text(key)]).first, row.int(2) == 0 else { return nil }
            return KeyValue(key: key, value: row.bytes(3), createRevision: row.int(1), modRevision: row.int(0))
        }
    }

    public func list(prefix: String, revision rev: Int64, startAfter: String?, limit: Int) async throws -> ListResult {
        try await read { c in
            let meta = try await Self.readMeta(c)
            if rev != 0 && rev < meta.compacted { throw StoreError.compacted(requested: rev, compactedAt: meta.compacted) }
            if rev > meta.revision { throw StoreError.futureRevision(requested: rev, current: meta.revision) }
            let at = rev == 0 ? meta.revision : rev
            let rows = try await c.query(self.schema.list, [
                .text(prefix), .text(SQLiteBackend.prefixEnd(prefix)), .int(at), .text(startAfter ?? ""),
                limit > 0 ? .int(Int64(limit) + 1) : .int(Int64.max),
            ])
            var items = rows.map { KeyValue(key: $0.text(1), value: $0.bytes(3), createRevision: $0.int(2), modRevision: $0.int(0)) }
            var more = false
            if limit > 0 && items.count > limit { items.removeLast(); more = true }
            // A compaction that committed meanwhile may have removed rows this read needed.
            if at < meta.revision {
                let after = try await Self.readMeta(c)
                if at < after.compacted { throw StoreError.compacted(requested: at, compactedAt: after.compacted) }
            }
            return ListResult(items: items, revision: at, more: more)
        }
    }

    public func count(prefix: String) async throws -> Int {
        try await read { c in
            Int(clamping: try await c.query(self.schema.count, [.text(prefix), .text(SQLiteBackend.prefixEnd(prefix))]).first?.int(0) ?? 0)
        }
    }

    public func currentRevision() async throws -> Int64 {
        try await read { c in try await Self.readMeta(c).revision }
    }

    public func compactedRevision() async throws -> Int64 {
        try await read { c in try await Self.readMeta(c).compacted }
    }

    // MARK: writes

    public func create(_ key: String, value: [UInt8]) async throws -> Int64 {
        try await writer.submit(.create(key, value)).modRevision
    }

    public func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64 {
        try await writer.submit(.update(key, value, expectedRevision)).modRevision
    }

    public func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue {
        try await writer.submit(.delete(key, expectedRevision))
    }

    // MARK: watch, compaction

    public func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error> {
        // The point as last read (each second) or made here; history replayed from the database is checked exactly.
        let compacted = feed.compacted.withLock { $0 }
        if afterRevision < compacted {
            return AsyncThrowingStream { $0.finish(throwing: StoreError.compacted(requested: afterRevision, compactedAt: compacted)) }
        }
        let schema = self.schema
        let pool = self.pool
        return hub.watch(prefix: prefix, after: afterRevision) { after, upTo in
            do {
                return try await pool.withConnection { c in
                    try await PostgresChangeFeed.history(c, schema: schema, prefix: prefix, after: after, upTo: upTo)
                }
            } catch {
                throw Self.mapped(error)
            }
        }
    }

    public func compact(revision: Int64) async throws {
        try await read { c in
            let meta = try await Self.readMeta(c)
            let target = min(revision, meta.revision)
            if target <= meta.compacted { return }
            try await c.simpleQuery("BEGIN")
            do {
                try await c.query(self.schema.compact, [.int(target)])
                try await c.query("UPDATE \(self.schema.dialect.metaTable) SET v = GREATEST(v, $1) WHERE k = 'compact_rev'", [.int(target)])
                try await c.simpleQuery("COMMIT")
            } catch {
                _ = try? await c.simpleQuery("ROLLBACK")
                throw error
            }
            self.feed.compacted.withLock { $0 = max($0, target) }
        }
    }

    public func close() async {
        await writer.close()
        await feed.stop()
        hub.close()
        pool.close()
        if let ownsGroup { try? await ownsGroup.shutdownGracefully() }
    }
}
