import CSQLite
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Logging
import Synchronization

/// The state store on SQLite in WAL mode, shaped like kine: one append-only
/// table whose id is the revision, numbered by the one writer, with one index
/// on the name (the newest row of a key, name-ordered scans).
///
/// Unlike kine: writes are acknowledged only after a durable commit
/// (synchronous=FULL by default), concurrent writes are group-committed by one
/// writer, and watchers are woken in-process on commit instead of polling.
///
/// The store tells the truth after damage: a RevisionMark beside the database
/// records how far revisions went, so a store that comes back older than what
/// clients were given (a deleted, truncated or corrupted WAL) refuses to open
/// (`StoreError.revisionsLost`) until `recover(path:)` moves it past the mark.
public final class SQLiteBackend: Backend {
    public enum Durability: Sendable {
        /// fsync on every commit: an acknowledged write survives a power cut.
        case full
        /// Faster; the last acknowledged writes may be lost on a power cut (not on a crash).
        case normal
    }

    let path: String
    let writerQueue = DispatchQueue(label: "edgectl.store.writer")
    let readerQueue = DispatchQueue(label: "edgectl.store.readers", attributes: .concurrent)
    let writer: UnsafeTransfer<SQLiteConnection>
    /// Held by whoever uses the writer's connection: the writer's queue, or a write committed inline
    /// on its caller's thread (`commitInline`).
    let writing = Mutex<Void>(())
    let readers: Mutex<[UnsafeTransfer<SQLiteConnection>]>
    let hub: WatchHub
    let pending = Mutex<PendingWrites>(PendingWrites())
    let revision: Mutex<(current: Int64, compacted: Int64)>
    /// Transactions committed and operations written (group commit shows as ops > transactions).
    /// `inline`: commits made on the writing caller's thread (`commitInline`).
    public let stats = Mutex<(transactions: Int, operations: Int, inline: Int)>((0, 0, 0))
    let mark: RevisionMarkKeeper
    let checkpointer: WALCheckpointer
    let space: DiskSpaceGuard
    /// The database's page size (a WAL frame is a page and 24 bytes).
    let pageSize: Int64
    /// The WAL file's size between checkpoints, given to it at open (SQLiteBackend+WALFile).
    let walBytes: Int64
    /// Told when the disk-full alarm goes up (true) or down (false), on the writer's queue.
    let diskSpaceHandler = Mutex<(@Sendable (_ full: Bool, _ detail: String) -> Void)?>(nil)
    let log = Logger(label: "edgectl.store")

    /// How far ahead of the current revision the mark is raised at a time: one fsync of the mark
    /// per this many revisions, never one per write.
    static let reserveChunk: Int64 = 1000
    /// How far recovery moves the revision when the mark itself is gone: past anything a client can have seen.
    static let unknownMarkMargin: Int64 = 1 << 32

    /// Page size of a new database. A commit writes every page it touches in full to the WAL, and the
    /// periodic writes (a Lease renewal: its row, two index entries) touch a few bytes of each: 1 KiB
    /// pages write a quarter of what 4 KiB pages do, which is what an SD card wears on (measured in
    /// docs/BENCHMARKS.md, flash-friendly writes). Larger objects spill into overflow pages instead.
    static let newPageSize = 1024

    /// The mark's file: beside the database, named like SQLite's own -wal and -shm.
    public static func markPath(for path: String) -> String { path + "-revision" }

    struct PendingWrites {
        var ops: [WriteOp] = []
        var draining = false
        var closed = false
        /// How many writes the last commit found together: its batch, or for an inline commit itself and
        /// the writes that queued while it ran. Above 1, writes are concurrent and go to the writer's queue,
        /// which groups them without holding up the callers' threads in fsync.
        var lastGroup = 1
        /// The last commit took longer than `slowCommit` (a slow card's fsync): lone writes then go to the
        /// writer's queue too, since the hand-offs saved are nothing beside such a wait, and a caller's
        /// thread (an event loop serving other connections) should not sit in it.
        var lastCommitSlow = false
        /// How long a commit may take and still count as quick (tests raise it).
        var slowCommit: Duration = .milliseconds(2)
    }

    public init(path: String, durability: Durability = .full) throws {
        self.path = path
        let w = try Self.openWriter(path: path, durability: durability)
        let (current, compacted) = try Self.revisions(w)
        let markPath = Self.markPath(for: path)
        let m: RevisionMark
        do {
            m = try RevisionMark(path: markPath, initial: .init(committed: current, reserved: current))
        } catch let e as RevisionMark.Failure {
            if case .damaged = e {
                throw StoreError.revisionsLost("\(e): the store cannot tell whether acknowledged writes were lost")
            }
            throw StoreError.database("\(e)")
        }
        if current < m.value.committed {
            throw StoreError.revisionsLost("""
                the store \(path) ends at revision \(current), but revision \(m.value.committed) was already handed to clients \
                (recorded in \(markPath)): acknowledged writes were lost with a deleted, truncated or damaged write-ahead log \
                (\(path)-wal), and clients that cached them would now be lied to
                """)
        }
        mark = RevisionMarkKeeper(m, chunk: Self.reserveChunk)
        let cp = WALCheckpointer(thresholdPages: 1000)
        cp.install(on: w.db)
        checkpointer = cp
        // The reserve must hold a whole WAL's worth of pages that are not yet in the database file: when the
        // alarm frees it, the first checkpoint grows the file by that much, and only a finished checkpoint lets
        // the WAL start over so deletes stop needing new room.
        var pageSize: Int64 = 4096
        try? w.query("PRAGMA page_size") { pageSize = max(512, SQLiteConnection.int($0, 0)) }
        self.pageSize = pageSize
        walBytes = Self.preparedWALBytes(thresholdPages: cp.thresholdPages, pageSize: pageSize)
        // A WAL held back past its size by a reader goes back to it at the first commit after it starts over.
        try w.exec("PRAGMA journal_size_limit=\(walBytes)")
        space = DiskSpaceGuard(databasePath: path, reserveBytes: Int64(cp.thresholdPages) * pageSize + (2 << 20))
        space.ensureReserve()
        writer = UnsafeTransfer(w)
        var rs: [UnsafeTransfer<SQLiteConnection>] = []
        for _ in 0..<3 { rs.append(UnsafeTransfer(try SQLiteConnection(path: path, readOnly: true))) }
        readers = Mutex(rs)
        revision = Mutex((current, compacted))
        hub = WatchHub(currentRevision: current)
        prepareWAL()
    }

    /// The writer's connection with the schema in place. Checkpoints are the WALCheckpointer's (no autocheckpoint).
    static func openWriter(path: String, durability: Durability) throws -> SQLiteConnection {
        let w = try SQLiteConnection(path: path, readOnly: false)
        // Only a new database takes it (an existing one keeps the size it was made with).
        try w.exec("PRAGMA page_size=\(newPageSize)")
        try w.exec("PRAGMA journal_mode=WAL")
        try w.exec("PRAGMA synchronous=\(durability == .full ? "FULL" : "NORMAL")")
        try w.exec("PRAGMA wal_autocheckpoint=0")
        try w.exec("PRAGMA journal_size_limit=16777216")
        // Some builds (Debian's) zero every page a delete frees, so a compaction wrote each freed page in full
        // to the WAL and then to the database. FAST zeroes deleted rows on the pages written anyway, and leaves
        // a freed page's old bytes until the page is reused, as etcd and kine do (docs/STORES.md).
        try w.exec("PRAGMA secure_delete=FAST")
        try w.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
        try KVSchema.sqlite.migrate(w)
        return w
    }

    /// The current revision and the compaction point. The writer numbers rows itself, so the revision is the
    /// highest of: the newest row; the compaction point (compaction may remove the newest rows, a tombstone
    /// say, but only at or below it, and recovery and restore move it past every revision handed out); and
    /// `revision_floor`, the AUTOINCREMENT counter of a store from before schema 2.
    static func revisions(_ c: SQLiteConnection) throws -> (current: Int64, compacted: Int64) {
        var compacted: Int64 = 0
        try c.query("SELECT COALESCE((SELECT v FROM meta WHERE k='compact_rev'), 0)") { compacted = SQLiteConnection.int($0, 0) }
        return (try storedRevision(c), compacted)
    }

    /// The revision a store on disk is at, whichever schema it has (a snapshot or a replaced store may be older).
    static func storedRevision(_ c: SQLiteConnection) throws -> Int64 {
        var current: Int64 = 0
        try c.query("""
            SELECT MAX(COALESCE((SELECT MAX(id) FROM kv), 0), COALESCE((SELECT v FROM meta WHERE k = 'compact_rev'), 0),
                       COALESCE((SELECT v FROM meta WHERE k = 'revision_floor'), 0))
            """) { current = SQLiteConnection.int($0, 0) }
        // Schema 1 kept its counter in sqlite_sequence (absent from stores that never had AUTOINCREMENT).
        var hasSequence = false
        try c.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'") { _ in hasSequence = true }
        if hasSequence {
            try c.query("SELECT seq FROM sqlite_sequence WHERE name = 'kv'") { current = max(current, SQLiteConnection.int($0, 0)) }
        }
        return current
    }

    // MARK: reads

    /// Runs `body` with a pooled read connection on the reader queue.
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            readerQueue.async {
                let conn = self.readers.withLock { $0.popLast() }
                let c = conn ?? (try? UnsafeTransfer(SQLiteConnection(path: self.path, readOnly: true)))
                guard let c else { cont.resume(throwing: StoreError.database("no read connection")); return }
                defer { self.readers.withLock { $0.append(c) } }
                do { cont.resume(returning: try c.value.transaction { try body(c.value) }) } catch { cont.resume(throwing: error) }
            }
        }
    }

    static let latestSQL = "SELECT id, create_revision, deleted, value, packed FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1"

    /// One key's newest row, read on the caller's thread: a point read takes microseconds from the page
    /// cache, and sending it to the reader queue and back cost two thread switches per read (every create
    /// reads its namespace). One statement is one read snapshot, so no explicit transaction either.
    public func get(_ key: String) async throws -> KeyValue? {
        let c = try readers.withLock { $0.popLast() } ?? UnsafeTransfer(SQLiteConnection(path: path, readOnly: true))
        defer { readers.withLock { $0.append(c) } }
        var kv: KeyValue?
        try c.value.query(Self.latestSQL, [.text(key)]) { s in
            if SQLiteConnection.int(s, 2) == 0 {
                kv = KeyValue(key: key, value: try Self.value(s, 3, packed: 4), createRevision: SQLiteConnection.int(s, 1),
                              modRevision: SQLiteConnection.int(s, 0))
            }
        }
        return kv
    }

    /// The smallest string greater than every string starting with `prefix`.
    static func prefixEnd(_ prefix: String) -> String {
        var b = Array(prefix.utf8)
        while let last = b.last {
            if last < 0xFF { b[b.count - 1] = last + 1; return String(decoding: b, as: UTF8.self) }
            b.removeLast()
        }
        return "\u{10FFFF}"
    }

    public func list(prefix: String, revision rev: Int64, startAfter: String?, limit: Int) async throws -> ListResult {
        let (current, compacted) = revision.withLock { $0 }
        if rev != 0 && rev < compacted { throw StoreError.compacted(requested: rev, compactedAt: compacted) }
        if rev > current { throw StoreError.futureRevision(requested: rev, current: current) }
        let at = rev == 0 ? current : rev
        // Walks the name index (its entries end with the id) in name order and keeps a row when it is its
        // name's newest at `at` (one index probe each), so LIMIT stops the walk:
        // a page costs its own size, not the size of the whole prefix, as
        // grouping every name under the prefix first did (a LIST of 500 among
        // 15,000 ConfigMaps took 58 ms in SQLite alone, now 8 ms).
        let sql = """
            SELECT kv.id, kv.name, kv.create_revision, kv.value, kv.packed FROM kv
            WHERE kv.name >= ?1 AND kv.name < ?2 AND kv.name > ?4
              AND kv.id = (SELECT MAX(k2.id) FROM kv AS k2 WHERE k2.name = kv.name AND k2.id <= ?3)
              AND kv.deleted = 0
            ORDER BY kv.name LIMIT ?5
            """
        let start = startAfter ?? ""
        let end = Self.prefixEnd(prefix)
        return try await read { c in
            var items: [KeyValue] = []
            try c.query(sql, [.text(prefix), .text(end), .int(at), .text(start), .int(limit > 0 ? Int64(limit + 1) : -1)]) { s in
                items.append(KeyValue(key: SQLiteConnection.text(s, 1), value: try Self.value(s, 3, packed: 4),
                                      createRevision: SQLiteConnection.int(s, 2), modRevision: SQLiteConnection.int(s, 0)))
            }
            var more = false
            if limit > 0 && items.count > limit { items.removeLast(); more = true }
            return ListResult(items: items, revision: at, more: more)
        }
    }

    public func count(prefix: String) async throws -> Int {
        let end = Self.prefixEnd(prefix)
        return try await read { c in
            var n = 0
            try c.query("""
                SELECT COUNT(*) FROM kv JOIN (SELECT MAX(id) AS mid FROM kv WHERE name >= ? AND name < ? GROUP BY name) m
                ON kv.id = m.mid WHERE kv.deleted = 0
                """, [.text(prefix), .text(end)]) { n = Int(clamping: SQLiteConnection.int($0, 0)) }
            return n
        }
    }

    // MARK: writes (group-committed by the writer)

    public func create(_ key: String, value: [UInt8]) async throws -> Int64 {
        try await submit(.create(key, value)).modRevision
    }

    public func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64 {
        try await submit(.update(key, value, expectedRevision)).modRevision
    }

    public func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue {
        try await submit(.delete(key, expectedRevision))
    }

    func submit(_ kind: WriteOp.Kind) async throws -> KeyValue {
        try await withCheckedThrowingContinuation { cont in
            let start = pending.withLock { p -> (drain: Bool, inline: Bool)? in
                if p.closed { return nil }
                p.ops.append(WriteOp(kind: kind, continuation: cont))
                if p.draining { return (false, false) }
                p.draining = true
                return (true, p.lastGroup <= 1 && !p.lastCommitSlow)
            }
            switch start {
            case nil: cont.resume(throwing: StoreError.closed)
            case (true, let inline)?: if !inline || !commitInline() { writerQueue.async { self.drain() } }
            default: break
            }
        }
    }

    /// No group is forming (nothing queued, nothing committing, and the last commit found no other
    /// writes beside its own): the write is committed on its caller's thread, and its continuation
    /// resumed before it suspends, so the request goes on where it was. Through the writer's queue a
    /// lone write cost two thread switches (to the queue and back to the task pool), about a seventh
    /// of a sequential create's CPU. Writes that arrive meanwhile queue up and are committed together
    /// by the writer's queue, as before, and while writes keep coming together they all go there.
    /// False when the writer's connection is busy (a compaction, say): then the queue commits it.
    func commitInline() -> Bool {
        let done: Bool? = writing.withLockIfAvailable { _ in
            let batch = pending.withLock { p -> [WriteOp] in
                defer { p.ops = [] }
                return p.ops
            }
            if !batch.isEmpty { commit(batch) }
            return true
        }
        guard done != nil else { return false }
        stats.withLock { $0.inline += 1 }
        let more = pending.withLock { p -> Bool in
            if p.ops.isEmpty { p.draining = false }
            p.lastGroup = 1 + p.ops.count
            return !p.ops.isEmpty
        }
        if more { writerQueue.async { self.drain() } }
        return true
    }

    /// Commits everything queued as one transaction, then acknowledges and
    /// publishes; writes that arrive during the commit form the next batch.
    func drain() {
        while true {
            let batch = pending.withLock { p -> [WriteOp] in
                if p.ops.isEmpty { p.draining = false } else { p.lastGroup = p.ops.count }
                defer { p.ops = [] }
                return p.ops
            }
            if batch.isEmpty { return }
            writing.withLock { _ in commit(batch) }
        }
    }

    /// Commits a batch and notes whether that took long (see `PendingWrites.lastCommitSlow`).
    func commit(_ incoming: [WriteOp]) {
        let started = ContinuousClock.now
        commitBatch(incoming)
        let took = ContinuousClock.now - started
        pending.withLock { $0.lastCommitSlow = took > $0.slowCommit }
    }

    func commitBatch(_ incoming: [WriteOp]) {
        guard let batch = admittedUnderSpaceAlarm(incoming) else { return }
        let db = writer.value
        var results: [Result<KeyValue, Error>] = []
        var events: [WatchEvent] = []
        let before = revision.withLock { $0.current }
        var next = before
        // Nothing above the mark's reservation may be committed, let alone handed out: raise it first (rarely).
        do {
            try mark.cover(Self.adding(before, Int64(batch.count)), committed: before)
        } catch {
            for op in batch { op.continuation.resume(throwing: StoreError.database("\(error)")) }
            return
        }
        let firstInFreshWAL = checkpointer.mayHaveRestarted
        checkpointer.mayHaveRestarted = false
        do {
            // Prepared once (query caches statements): exec parsed each of these anew for every write.
            try db.query("BEGIN IMMEDIATE")
            for op in batch {
                do {
                    try db.query("SAVEPOINT op")
                    // A damaged or hand-edited store can be at the last revision there is: refuse, never trap.
                    let (following, overflow) = next.addingReportingOverflow(1)
                    if overflow { throw StoreError.database("the store is at revision \(next): there is no revision after it") }
                    let (kv, ev) = try apply(op.kind, db, nextRevision: following)
                    try db.query("RELEASE op")
                    next = kv.modRevision
                    results.append(.success(kv))
                    events.append(ev)
                } catch {
                    try? db.exec("ROLLBACK TO op")
                    try? db.exec("RELEASE op")
                    results.append(.failure(error))
                }
            }
            try db.query("COMMIT")
        } catch {
            try? db.exec("ROLLBACK")
            checkpointer.mayHaveRestarted = checkpointer.mayHaveRestarted || firstInFreshWAL
            if case StoreError.noSpace(let why) = error {
                if let retry = retryAfterSpaceExhausted(batch, why) { commitBatch(retry) }
                return
            }
            for op in batch { op.continuation.resume(throwing: StoreError.database("commit failed: \(error)")) }
            return
        }
        revision.withLock { $0.current = max($0.current, next) }
        if firstInFreshWAL && next > before {
            // These revisions live only in a WAL the database file has not seen: losing it must show.
            do {
                try mark.recordCommitted(next)
            } catch {
                checkpointer.mayHaveRestarted = true
                log.error("could not record revision \(next) in the revision mark; a lost WAL would go unnoticed until it is: \(error)")
            }
        }
        mark.raiseAhead(current: next)
        stats.withLock { $0.transactions += 1; $0.operations += events.count }
        // Publish before acknowledging: a client that reads its own write and then
        // watches from that revision must not find the event still in flight.
        hub.publish(events)
        for (op, r) in zip(batch, results) { op.continuation.resume(with: r) }
        if space.alarmed, events.contains(where: { $0.type == .delete }) { reclaimSpace() }
    }

    func apply(_ kind: WriteOp.Kind, _ db: SQLiteConnection, nextRevision: Int64) throws -> (KeyValue, WatchEvent) {
        let key = kind.key
        var latest: (id: Int64, createRev: Int64, deleted: Bool, value: [UInt8])?
        try db.query(Self.latestSQL, [.text(key)]) { s in
            latest = (SQLiteConnection.int(s, 0), SQLiteConnection.int(s, 1), SQLiteConnection.int(s, 2) != 0, try Self.value(s, 3, packed: 4))
        }
        let live = latest.flatMap { $0.deleted ? nil : $0 }
        let prevKV = live.map { KeyValue(key: key, value: $0.value, createRevision: $0.createRev, modRevision: $0.id) }
        // The row's id is its revision, given here: never one compaction freed (see `revisions`).
        let insert = "INSERT INTO kv(id, name, created, deleted, create_revision, prev_revision, value, packed) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"
        let id = nextRevision
        // The single writer checks what kv_name_prev's uniqueness used to refuse (schema 1): a second row
        // replacing the same revision of a key, i.e. a lost update.
        switch kind {
        case .create(_, let value):
            if live != nil { throw StoreError.alreadyExists(key: key) }
            try db.query(insert, [.int(id), .text(key), .int(1), .int(0), .int(id), .int(latest?.id ?? 0)] + Self.stored(value, key: key))
            let kv = KeyValue(key: key, value: value, createRevision: id, modRevision: id)
            return (kv, WatchEvent(type: .put, kv: kv, prevKV: nil, isCreate: true))
        case .update(_, let value, let expected):
            guard let cur = live else { throw StoreError.notFound(key: key) }
            if cur.id != expected { throw StoreError.conflict(key: key, currentRevision: cur.id) }
            try db.query(insert, [.int(id), .text(key), .int(0), .int(0), .int(cur.createRev), .int(cur.id)] + Self.stored(value, key: key))
            let kv = KeyValue(key: key, value: value, createRevision: cur.createRev, modRevision: id)
            return (kv, WatchEvent(type: .put, kv: kv, prevKV: prevKV, isCreate: false))
        case .delete(_, let expected):
            guard let cur = live else { throw StoreError.notFound(key: key) }
            if let expected, cur.id != expected { throw StoreError.conflict(key: key, currentRevision: cur.id) }
            // The tombstone carries no value (history replay reads it from the row it replaces, which
            // compaction keeps as long as the tombstone), so a delete needs a few bytes even on a full disk.
            try db.query(insert, [.int(id), .text(key), .int(0), .int(1), .int(cur.createRev), .int(cur.id), .null, .null])
            let kv = KeyValue(key: key, value: cur.value, createRevision: cur.createRev, modRevision: id)
            return (kv, WatchEvent(type: .delete, kv: kv, prevKV: prevKV, isCreate: false))
        }
    }

    // MARK: watch, compaction

    public func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error> {
        let compacted = revision.withLock { $0.compacted }
        if afterRevision < compacted {
            return AsyncThrowingStream { $0.finish(throwing: StoreError.compacted(requested: afterRevision, compactedAt: compacted)) }
        }
        // A connection of its own only when the ring does not reach back (most watches start at the present).
        return hub.watch(prefix: prefix, after: afterRevision) { [path] after, upTo in
            let c = try SQLiteConnection(path: path, readOnly: true)
            return try c.transaction { try Self.history(c, prefix: prefix, after: after, upTo: upTo) }
        }
    }

    /// Stored events for keys under `prefix` in (after, upTo], oldest first.
    static func history(_ c: SQLiteConnection, prefix: String, after: Int64, upTo: Int64) throws -> [WatchEvent] {
        var out: [WatchEvent] = []
        let sql = """
            SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value, p.value, p.deleted,
                   k.packed, p.packed
            FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision
            WHERE k.id > ? AND k.id <= ? AND k.name >= ? AND k.name < ? ORDER BY k.id
            """
        try c.query(sql, [.int(after), .int(upTo), .text(prefix), .text(prefixEnd(prefix))]) { s in
            let id = SQLiteConnection.int(s, 0)
            let name = SQLiteConnection.text(s, 1)
            let created = SQLiteConnection.int(s, 2) != 0
            let deleted = SQLiteConnection.int(s, 3) != 0
            let createRev = SQLiteConnection.int(s, 4)
            let prevRev = SQLiteConnection.int(s, 5)
            var value = try Self.value(s, 6, packed: 9)
            // A tombstone's value is the one it deleted (older stores copied it into the tombstone).
            let replaced = SQLiteConnection.isNull(s, 7) ? nil : try Self.value(s, 7, packed: 10)
            if deleted, value.isEmpty, let replaced { value = replaced }
            let kv = KeyValue(key: name, value: value, createRevision: createRev, modRevision: id)
            var prev: KeyValue?
            if !created, let replaced, SQLiteConnection.int(s, 8) == 0 {
                prev = KeyValue(key: name, value: replaced, createRevision: createRev, modRevision: prevRev)
            }
            out.append(WatchEvent(type: deleted ? .delete : .put, kv: kv, prevKV: prev, isCreate: created))
        }
        return out
    }

    public func compact(revision rev: Int64) async throws {
        let target = min(rev, revision.withLock { $0.current })
        if target <= revision.withLock({ $0.compacted }) { return }
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
            writerQueue.async {
                do {
                    try self.writing.withLock { _ in try self.compactOnWriter(target, checkpoint: self.checkpointAfterCompaction()) }
                    cont.resume()
                } catch {
                    cont.resume(throwing: error)
                }
            }
        }
    }

    /// What a compaction does to the WAL. Usually nothing: the checkpointer copies it into the database at
    /// `thresholdPages`, and each checkpoint writes every page changed since the last one, so an idle server
    /// that checkpointed at each compaction wrote the same few pages (its Lease's) again every 5 minutes
    /// (docs/BENCHMARKS.md, flash-friendly writes). A WAL grown past its prepared size (a reader held back
    /// the checkpoints) is checkpointed and made to start over now that a chunk of history is gone; the
    /// first commit after that cuts the file back to its prepared size (`journal_size_limit`), not to
    /// nothing, so it keeps the blocks the next commits overwrite. On a full disk the WAL keeps all of
    /// its blocks, for the writes to come.
    func checkpointAfterCompaction() -> Int32? {
        if space.alarmed { return SQLITE_CHECKPOINT_PASSIVE }
        return walSize() > walBytes ? SQLITE_CHECKPOINT_RESTART : nil
    }

    /// Compaction itself, on the writer's queue.
    func compactOnWriter(_ target: Int64, checkpoint mode: Int32?) throws {
        let db = writer.value
        do {
            try db.exec("BEGIN IMMEDIATE")
            // Keep, per key, the newest row at or below the target unless it is a tombstone; keep all newer rows.
            try db.query("""
                DELETE FROM kv WHERE id <= ?1 AND (deleted = 1 OR id NOT IN
                  (SELECT MAX(id) FROM kv WHERE id <= ?1 GROUP BY name))
                """, [.int(target)])
            try db.query("INSERT OR REPLACE INTO meta(k, v) VALUES('compact_rev', ?)", [.int(target)])
            try db.exec("COMMIT")
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
        revision.withLock { $0.compacted = max($0.compacted, target) }
        if let mode { checkpointer.checkpoint(db.db, mode: mode) }
    }

    public func currentRevision() async throws -> Int64 { revision.withLock { $0.current } }

    public func compactedRevision() async throws -> Int64 { revision.withLock { $0.compacted } }

    /// Frees the page caches of the idle connections (SQLite keeps up to 2 MB per
    /// connection; the operating system caches the same pages anyway) and the
    /// watch ring's recent events. For a quiet moment after a burst: the next
    /// queries read their pages again, and a watch from the past replays from the
    /// database.
    public func releaseMemory() async {
        hub.releaseHistory()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            writerQueue.async {
                self.writing.withLock { _ in _ = sqlite3_db_release_memory(self.writer.value.db) }
                c.resume()
            }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            readerQueue.async {
                // Only connections in the pool: one in use belongs to its query until it comes back.
                let idle = self.readers.withLock { pool -> [UnsafeTransfer<SQLiteConnection>] in
                    defer { pool = [] }
                    return pool
                }
                for r in idle { sqlite3_db_release_memory(r.value.db) }
                self.readers.withLock { $0.append(contentsOf: idle) }
                c.resume()
            }
        }
    }

    /// Bytes of heap SQLite holds in this process (all connections).
    public static func heapInUse() -> Int64 { sqlite3_memory_used() }

    /// Size of the WAL file in bytes (for checks that it stays bounded).
    public func walSize() -> Int64 {
        var st = stat()
        return stat(path + "-wal", &st) == 0 ? Int64(st.st_size) : 0
    }

    public func close() async {
        pending.withLock { $0.closed = true }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            writerQueue.async {
                self.writing.withLock { _ in
                    self.checkpointer.checkpoint(self.writer.value.db, mode: SQLITE_CHECKPOINT_TRUNCATE)
                    // Everything is in the database file now: the mark is exact until the next start.
                    self.mark.finish(current: self.revision.withLock { $0.current })
                }
                c.resume()
            }
        }
        hub.close()
    }
}

struct WriteOp {
    enum Kind {
        case create(String, [UInt8])
        case update(String, [UInt8], Int64)
        case delete(String, Int64?)

        var key: String {
            switch self {
            case .create(let k, _), .update(let k, _, _), .delete(let k, _): return k
            }
        }
    }

    var kind: Kind
    var continuation: CheckedContinuation<KeyValue, Error>
}

extension SQLiteBackend {
    /// The `value` and `packed` arguments of a row holding `value` for `key` (StoredValueCodec).
    static func stored(_ value: [UInt8], key: String) -> [SQLValue] {
        guard let packed = StoredValueCodec.pack(value, key: key) else { return [.blob(value), .null] }
        return [.blob(packed), .int(Int64(value.count))]
    }

    /// The value of a row whose `value` and `packed` columns are `column` and `packed`.
    static func value(_ s: OpaquePointer, _ column: Int32, packed: Int32) throws -> [UInt8] {
        try StoredValueCodec.unpack(SQLiteConnection.blob(s, column),
                                    inflatedSize: SQLiteConnection.isNull(s, packed) ? nil : SQLiteConnection.int(s, packed))
    }

    /// `a + b` for revisions, saturating: a damaged database may hold any number.
    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}

/// Moves a value that is confined by other means (a serial queue, a pool)
/// across concurrency domains.
struct UnsafeTransfer<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}

extension SQLiteConnection {
    /// A read transaction so multi-statement reads see one snapshot.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN")
        defer { try? exec("COMMIT") }
        return try body()
    }
}
