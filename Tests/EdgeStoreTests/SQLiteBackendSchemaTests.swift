import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// Schema 2 (flash-friendly writes): rows numbered by the writer, one index, and stores made by schema 1
/// (AUTOINCREMENT, two indexes) migrated with their data and revisions.
final class SQLiteBackendSchemaTests: TemporaryDirectoryTestCase {
    var path: String { dir + "/state.db" }

    func schemaSQL(_ c: SQLiteConnection) throws -> [String: String] {
        var out: [String: String] = [:]
        try c.query("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE tbl_name = 'kv'") {
            out[SQLiteConnection.text($0, 0)] = SQLiteConnection.text($0, 1)
        }
        return out
    }

    /// A new store's kv table has no AUTOINCREMENT (no sqlite_sequence page in every commit) and one index.
    func testNewStoreHasOneIndexAndNoSequence() async throws {
        let b = try SQLiteBackend(path: path)
        _ = try await b.create("/k/a", value: [1])
        let schema = try schemaSQL(b.writer.value)
        XCTAssertEqual(Set(schema.keys), ["kv", "kv_name"], "\(schema)")
        XCTAssertFalse(schema["kv"]!.uppercased().contains("AUTOINCREMENT"), schema["kv"]!)
        var sequenceRows = 0
        try b.writer.value.query("SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'kv'") { sequenceRows = Int(SQLiteConnection.int($0, 0)) }
        XCTAssertEqual(sequenceRows, 0, "commits do not write sqlite_sequence")
        await b.close()
    }

    /// The revision never goes back: not in the running store, not after a restart, when compaction removed
    /// the newest row (a tombstone) and, with it, the highest id in the table.
    func testRevisionsGoOnAfterTheNewestRowIsCompacted() async throws {
        var b: SQLiteBackend? = try SQLiteBackend(path: path)
        let r1 = try await b!.create("/k/a", value: [1])
        let r2 = try await b!.create("/k/b", value: [2])
        let gone = try await b!.delete("/k/b", expectedRevision: r2)
        try await b!.compact(revision: gone.modRevision)
        var maxID: Int64 = 0
        try b!.writer.value.query("SELECT MAX(id) FROM kv") { maxID = SQLiteConnection.int($0, 0) }
        XCTAssertEqual(maxID, r1, "compaction removed the newest rows")
        let r3 = try await b!.create("/k/c", value: [3])
        XCTAssertEqual(r3, gone.modRevision + 1, "the running store does not reuse a compacted revision")
        let gone2 = try await b!.delete("/k/c", expectedRevision: r3)
        try await b!.compact(revision: gone2.modRevision)
        await b!.close()
        b = nil
        let again = try SQLiteBackend(path: path)
        let current = try await again.currentRevision()
        XCTAssertEqual(current, gone2.modRevision)
        let r4 = try await again.create("/k/d", value: [4])
        XCTAssertEqual(r4, gone2.modRevision + 1, "a restarted store goes on above the compacted revisions")
        let c = try await again.get("/k/c")
        XCTAssertNil(c)
        await again.close()
    }

    /// Updates and deletes still refuse a stale revision (what the unique (name, prev_revision) index refused).
    func testStaleRevisionStillConflicts() async throws {
        let b = try SQLiteBackend(path: path)
        let r1 = try await b.create("/k/a", value: [1])
        _ = try await b.update("/k/a", value: [2], expectedRevision: r1)
        do {
            _ = try await b.update("/k/a", value: [3], expectedRevision: r1)
            XCTFail("a lost update was accepted")
        } catch StoreError.conflict {}
        var rows = 0
        try b.writer.value.query("SELECT COUNT(*) FROM kv WHERE name = '/k/a' AND prev_revision = ?", [.int(r1)]) { rows = Int(SQLiteConnection.int($0, 0)) }
        XCTAssertEqual(rows, 1)
        await b.close()
    }

    /// A store made by schema 1, written the way that edgectl wrote it (AUTOINCREMENT ids), whose newest rows
    /// compaction had removed: after the migration every value, revision and the history are intact, and new
    /// writes go on above the old high-water mark.
    func testSchema1StoreIsMigrated() async throws {
        do {
            let c = try SQLiteConnection(path: path, readOnly: false)
            try c.exec("PRAGMA page_size=4096")
            try c.exec("PRAGMA journal_mode=WAL")
            try c.exec("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
            try c.exec(KVSchema.sqlite.dialect.migrations[0])
            try c.exec("INSERT INTO meta(k, v) VALUES('schema_version', 1)")
            let insert = "INSERT INTO kv(name, created, deleted, create_revision, prev_revision, value) VALUES(?, ?, ?, ?, ?, ?)"
            // 1 /a v1, 2 /b, 3 /a v2, 4 /c, 5 /c deleted, 6 /d, 7 /d deleted
            try c.query(insert, [.text("/a"), .int(1), .int(0), .int(1), .int(0), .blob([1])])
            try c.query(insert, [.text("/b"), .int(1), .int(0), .int(2), .int(0), .blob([2])])
            try c.query(insert, [.text("/a"), .int(0), .int(0), .int(1), .int(1), .blob([3])])
            try c.query(insert, [.text("/c"), .int(1), .int(0), .int(4), .int(0), .blob([4])])
            try c.query(insert, [.text("/c"), .int(0), .int(1), .int(4), .int(4), .null])
            try c.query(insert, [.text("/d"), .int(1), .int(0), .int(6), .int(0), .blob([6])])
            try c.query(insert, [.text("/d"), .int(0), .int(1), .int(6), .int(6), .null])
            // Compaction at 3 would leave rows 2..7; say the newest ones went (a compaction to 7 removes /d's
            // tombstone and its row): only AUTOINCREMENT remembered revision 7.
            try c.exec("DELETE FROM kv WHERE id IN (1, 6, 7)")
            try c.exec("INSERT INTO meta(k, v) VALUES('compact_rev', 3)")
            var seq: Int64 = 0
            try c.query("SELECT seq FROM sqlite_sequence WHERE name = 'kv'") { seq = SQLiteConnection.int($0, 0) }
            XCTAssertEqual(seq, 7)
        }
        let b = try SQLiteBackend(path: path)
        let current = try await b.currentRevision()
        XCTAssertEqual(current, 7, "the old high-water mark, though its rows are gone")
        let compacted = try await b.compactedRevision()
        XCTAssertEqual(compacted, 3)
        let a = try await b.get("/a")
        XCTAssertEqual(a?.value, [3])
        XCTAssertEqual(a?.modRevision, 3)
        XCTAssertEqual(a?.createRevision, 1)
        let bee = try await b.get("/b")
        XCTAssertEqual(bee?.modRevision, 2)
        let cee = try await b.get("/c")
        XCTAssertNil(cee)
        let page = try await b.list(prefix: "/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(page.items.map(\.key), ["/a", "/b"])
        // History above the compaction point replays from the migrated rows (the delete of /c with its value).
        var events: [WatchEvent] = []
        for try await e in b.watch(prefix: "/c", afterRevision: 3) {
            events.append(e)
            if events.count == 2 { break }
        }
        XCTAssertEqual(events.map(\.type), [.put, .delete])
        XCTAssertEqual(events.last?.kv.value, [4])
        XCTAssertEqual(events.last?.kv.modRevision, 5)
        let schema = try schemaSQL(b.writer.value)
        XCTAssertEqual(Set(schema.keys), ["kv", "kv_name"], "\(schema)")
        var version: Int64 = 0
        try b.writer.value.query("SELECT v FROM meta WHERE k = 'schema_version'") { version = SQLiteConnection.int($0, 0) }
        XCTAssertEqual(version, KVSchema.sqlite.latestVersion)
        let next = try await b.update("/a", value: [9], expectedRevision: 3)
        XCTAssertEqual(next, 8, "new writes go on above the old store's high-water mark")
        let created = try await b.create("/d", value: [10])
        XCTAssertEqual(created, 9)
        await b.close()
        let again = try SQLiteBackend(path: path)
        let rev = try await again.currentRevision()
        XCTAssertEqual(rev, 9)
        let d = try await again.get("/d")
        XCTAssertEqual(d?.createRevision, 9)
        await again.close()
    }

    /// A compaction on a quiet store leaves the WAL to the checkpointer (each checkpoint rewrites every page
    /// changed since the last one: on an idle server, the same Lease pages every 5 minutes); a WAL that grew
    /// past its prepared size because a reader held it back starts over after the next compaction, and its
    /// file goes back to that size (not to nothing: the next commits overwrite its blocks).
    func testCompactionRestartsOnlyAGrownWAL() async throws {
        let b = try SQLiteBackend(path: path)
        var rev = try await b.create("/k/lease", value: Array(repeating: 1, count: 800))
        for _ in 0..<20 { rev = try await b.update("/k/lease", value: Array(repeating: 2, count: 800), expectedRevision: rev) }
        let before = b.checkpointer.frames
        XCTAssertGreaterThan(before, 0)
        try await b.compact(revision: rev)
        rev = try await b.update("/k/lease", value: Array(repeating: 2, count: 800), expectedRevision: rev)
        XCTAssertGreaterThan(b.checkpointer.frames, before, "a small WAL is not checkpointed by compaction")
        XCTAssertEqual(b.walSize(), b.walBytes)

        // A reader keeps its snapshot while 1,500 pages are written: the passive checkpoints cannot finish.
        let reader = try SQLiteConnection(path: path, readOnly: true)
        try reader.exec("BEGIN")
        try reader.query("SELECT COUNT(*) FROM kv")
        for _ in 0..<300 { rev = try await b.update("/k/lease", value: Array(repeating: 3, count: 4000), expectedRevision: rev) }
        try reader.exec("COMMIT")
        XCTAssertGreaterThan(b.walSize(), b.walBytes, "the reader held the WAL back")
        try await b.compact(revision: rev)
        rev = try await b.update("/k/lease", value: Array(repeating: 4, count: 800), expectedRevision: rev)
        XCTAssertLessThan(b.checkpointer.frames, 20, "the WAL started over")
        XCTAssertEqual(b.walSize(), b.walBytes, "the grown WAL is cut back to its prepared size")
        let got = try await b.get("/k/lease")
        XCTAssertEqual(got?.value, Array(repeating: 4, count: 800))
        await b.close()
    }

    /// Freed pages are not zeroed with extra writes (Debian's SQLite does by default): FAST.
    func testFreedPagesAreNotRewritten() async throws {
        let b = try SQLiteBackend(path: path)
        var mode: Int64 = -1
        try b.writer.value.query("PRAGMA secure_delete") { mode = SQLiteConnection.int($0, 0) }
        XCTAssertEqual(mode, 2, "secure_delete=FAST")
        await b.close()
    }

    /// A store whose revision is already the largest Int64 (a damaged or hand-edited one) refuses writes with
    /// an error instead of trapping on the next revision.
    func testWritesPastTheLastRevisionFailCleanly() async throws {
        do {
            let b = try SQLiteBackend(path: path)
            _ = try await b.create("/k/a", value: [1])
            await b.close()
        }
        do {
            let c = try SQLiteConnection(path: path, readOnly: false)
            try c.query("INSERT OR REPLACE INTO meta(k, v) VALUES('revision_floor', ?)", [.int(.max)])
        }
        unlink(SQLiteBackend.markPath(for: path))
        let b = try SQLiteBackend(path: path)
        do {
            _ = try await b.create("/k/b", value: [2])
            XCTFail("a revision past Int64.max was handed out")
        } catch StoreError.database(let why) {
            XCTAssertTrue(why.contains("no revision"), why)
        }
        let a = try await b.get("/k/a")
        XCTAssertEqual(a?.value, [1], "the store still serves reads")
        await b.close()
    }
}
