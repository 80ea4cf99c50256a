import Logging
import Synchronization

/// The one writer of a PostgresBackend: queued writes are committed together in one transaction that
/// first takes the revision counter's row lock, so every server's writes get consecutive revisions in
/// commit order; each op's compare is checked under that lock before its row is inserted.
final class PostgresWriter: Sendable {
    let pool: PostgresPool
    let schema: KVSchema
    let channel: String
    let onCommit: @Sendable () -> Void
    let log = Logger(label: "edgectl.store.postgres")
    private struct Pending {
        var ops: [WriteOp] = []
        var draining = false
        var closed = false
        var connection: PostgresConnection?
    }
    private let pending = Mutex(Pending())
    /// Most ops per transaction: a long queue becomes several commits, not one huge one.
    static let maxBatch = 256

    init(pool: PostgresPool, schema: KVSchema, channel: String, onCommit: @escaping @Sendable () -> Void) {
        self.pool = pool
        self.schema = schema
        self.channel = channel
        self.onCommit = onCommit
    }

    func submit(_ kind: WriteOp.Kind) async throws -> KeyValue {
        try await withCheckedThrowingContinuation { cont in
            let start = pending.withLock { p -> Bool? in
                if p.closed { return nil }
                p.ops.append(WriteOp(kind: kind, continuation: cont))
                if p.draining { return false }
                p.draining = true
                return true
            }
            switch start {
            case nil: cont.resume(throwing: StoreError.closed)
            case true?: Task { await self.drain() }
            default: break
            }
        }
    }

    private func drain() async {
        while true {
            let (batch, conn) = pending.withLock { p -> ([WriteOp], PostgresConnection?) in
                let n = min(p.ops.count, Self.maxBatch)
                if n == 0 { p.draining = false }
                let b = Array(p.ops.prefix(n))
                p.ops.removeFirst(n)
                let c = p.connection
                p.connection = nil
                return (b, c)
            }
            if batch.isEmpty {
                keep(conn)
                return
            }
            keep(await commit(batch, conn))
        }
    }

    /// Keeps the connection for the next batch, or closes it when the writer was closed meanwhile
    /// (`close()` cannot take a connection a drain is using).
    private func keep(_ conn: PostgresConnection?) {
        guard let conn else { return }
        let orphaned = pending.withLock { p -> Bool in
            if p.closed { return true }
            p.connection = conn
            return false
        }
        if orphaned { conn.close() }
    }

    /// Commits `batch` on `conn` (or a new connection); returns the connection when it is still good.
    private func commit(_ batch: [WriteOp], _ existing: PostgresConnection?) async -> PostgresConnection? {
        var conn = existing
        do {
            if conn == nil || !conn!.isActive {
                conn?.close()
                let c = try await pool.connect()
                // A server that dies holding the counter's lock must not stall the others for long.
                try await c.simpleQuery("SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '30s'")
                conn = c
            }
        } catch {
            for op in batch { op.continuation.resume(throwing: PostgresBackend.mapped(error)) }
            return nil
        }
        let c = conn!
        var results: [Result<KeyValue, Error>] = []
        do {
            let rows = try await c.simpleQuery("BEGIN; SELECT v FROM \(schema.dialect.metaTable) WHERE k = 'revision' FOR UPDATE")
            guard let start = rows.first.flatMap({ Int64($0.text(0)) }) else {
                throw PostgresError.protocolViolation("the revision counter is missing from \(schema.dialect.metaTable)")
            }
            var revision = start
            for op in batch {
                results.append(try await apply(op.kind, c, revision: &revision))
            }
            if revision > start {
                try await c.simpleQuery("""
                    UPDATE \(schema.dialect.metaTable) SET v = \(revision) WHERE k = 'revision'; \
                    SELECT pg_notify('\(channel)', '\(revision)'); COMMIT
                    """)
            } else {
                try await c.simpleQuery("COMMIT")
            }
        } catch {
            if c.isActive { _ = try? await c.simpleQuery("ROLLBACK") }
            let e = PostgresBackend.mapped(error)
            if case StoreError.unavailable = e {} else { log.error("write transaction failed: \(e)") }
            for op in batch { op.continuation.resume(throwing: e) }
            if !c.isActive { c.close(); return nil }
            return c
        }
        for (op, r) in zip(batch, results) { op.continuation.resume(with: r) }
        onCommit()
        return c
    }

    /// One op under the counter's lock: its compare, then its row. A failed compare is the op's result,
    /// not the transaction's failure.
    private func apply(_ kind: WriteOp.Kind, _ c: PostgresConnection, revision: inout Int64) async throws -> Result<KeyValue, Error> {
        let key = kind.key
        let latest = try await c.query(schema.latest, [.text(key)]).first
        let live = latest.flatMap { $0.int(2) == 0 ? $0 : nil }
        let next = revision + 1
        let kv: KeyValue
        switch kind {
        case .create(_, let value):
            if live != nil { return .failure(StoreError.alreadyExists(key: key)) }
            try await c.query(schema.insert, [.int(next), .text(key), .int(1), .int(0), .int(next), .int(latest?.int(0) ?? 0), .bytes(value)])
            kv = KeyValue(key: key, value: value, createRevision: next, modRevision: next)
        case .update(_, let value, let expected):
            guard let cur = live else { return .failure(StoreError.notFound(key: key)) }
            if cur.int(0) != expected { return .failure(StoreError.conflict(key: key, currentRevision: cur.int(0))) }
            try await c.query(schema.insert, [.int(next), .text(key), .int(0), .int(0), .int(cur.int(1)), .int(cur.int(0)), .bytes(value)])
            kv = KeyValue(key: key, value: value, createRevision: cur.int(1), modRevision: next)
        case .delete(_, let expected):
            guard let cur = live else { return .failure(StoreError.notFound(key: key)) }
            if let expected, cur.int(0) != expected { return .failure(StoreError.conflict(key: key, currentRevision: cur.int(0))) }
            // The tombstone keeps the last value, for watchers replaying history.
            try await c.query(schema.insert, [.int(next), .text(key), .int(0), .int(1), .int(cur.int(1)), .int(cur.int(0)), .bytes(cur.bytes(3))])
            kv = KeyValue(key: key, value: cur.bytes(3), createRevision: cur.int(1), modRevision: next)
        }
        revision = next
        return .success(kv)
    }

    func close() async {
        let conn = pending.withLock { p -> PostgresConnection? in
            p.closed = true
            defer { p.connection = nil }
            return p.draining ? nil : p.connection
        }
        conn?.close()
    }
}
