import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// Schema 3 (flash-friendly writes): small values stored deflated (StoredValueCodec), rows written before
/// it read as they were, and a Lease renewal writing fewer WAL frames than one row to a leaf did.
final class SQLiteBackendPackedValueTests: TemporaryDirectoryTestCase {
    var path: String { dir + "/state.db" }

    /// The node Lease with another renewTime (a renewal changes that and nothing else).
    func lease(_ n: Int) -> [UInt8] {
        // Without Foundation (the board builds' tests have none): zero-padded by hand.
        func padded(_ v: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(v).count)) + String(v) }
        let time = padded(n / 3600 % 24, 2) + ":" + padded(n / 60 % 60, 2) + ":" + padded(n % 60, 2) + "." + padded(n * 7919 % 1_000_000, 6) + "Z"
        let parts = String(decoding: StoredValueCodecTests.lease, as: UTF8.self).split(separator: "01:10:11.123456Z", omittingEmptySubsequences: false)
        return Array(parts.joined(separator: time).utf8)
    }

    /// WAL frames a renewal of the node's Lease commits, among other objects, with a compaction every 30
    /// renewals (5 minutes at kubelet's 10 s) keeping the last 30. The 783-byte Lease filled a 1 KiB leaf by
    /// itself: a new leaf every renewal, with the table's interior page, page 1 and the free-list trunk,
    /// about 5.8 frames; packed, four rows share a leaf.
    func testALeaseRenewalWritesFewFrames() async throws {
        let b = try SQLiteBackend(path: path)
        let other = Array(String(repeating: "{\"kind\":\"ConfigMap\",\"data\":\"x\"}", count: 50).utf8)
        for i in 0..<100 {
            _ = try await b.create("/registry/configmaps/default/cm-\(i)", value: other + Array("\(i)".utf8))
        }
        let key = StoredValueCodecTests.leaseKey
        var rev = try await b.create(key, value: lease(0))
        var renewals: [Int64] = []
        func renew(_ n: Int) async throws {
            rev = try await b.update(key, value: lease(n), expectedRevision: rev)
            renewals.append(rev)
            if renewals.count % 30 == 0 { try await b.compact(revision: renewals[renewals.count - 30]) }
        }
        for n in 1...90 { try await renew(n) }
        let before = b.checkpointer.frames
        for n in 91...180 { try await renew(n) }
        let frames = Double(b.checkpointer.frames - before) / 90
        XCTAssertLessThan(frames, 4.5, "WAL frames a renewal (compactions included)")
        let got = try await b.get(key)
        XCTAssertEqual(got?.value, lease(180))
        await b.close()
    }

    /// A store made by schema 2 (today's main before this change) opens at schema 3 without rewriting a row:
    /// its values read as they were stored, new small values are stored packed, and gets, lists and the
    /// history from the database (after a restart) give back every value byte for byte.
    func testSchema2StoreIsMigratedAndBothKindsOfRowRead() async throws {
        let old = lease(1)
        let key = StoredValueCodecTests.leaseKey
        do {
            let c = try SQLiteConnection(path: path, readOnly: false)
            try c.exec("PRAGMA page_size=1024")
            try c.exec("PRAGMA journal_mode=WAL")
            try c.exec("CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
            try c.exec(KVSchema.sqlite.dialect.migrations[0])
            try c.exec(KVSchema.sqlite.dialect.migrations[1])
            try c.exec("INSERT INTO meta(k, v) VALUES('schema_version', 2)")
            let insert = "INSERT INTO kv(id, name, created, deleted, create_revision, prev_revision, value) VALUES(?, ?, ?, ?, ?, ?, ?)"
            try c.query(insert, [.int(1), .text(key), .int(1), .int(0), .int(1), .int(0), .blob(old)])
            try c.query(insert, [.int(2), .text("/registry/z"), .int(1), .int(0), .int(2), .int(0), .blob([7])])
        }
        var b: SQLiteBackend? = try SQLiteBackend(path: path)
        var version: Int64 = 0
        try b!.writer.value.query("SELECT v FROM meta WHERE k = 'schema_version'") { version = SQLiteConnection.int($0, 0) }
        XCTAssertEqual(version, 3)
        let first = try await b!.get(key)
        XCTAssertEqual(first?.value, old, "a row from before the migration")
        let r3 = try await b!.update(key, value: lease(2), expectedRevision: 1)
        var packed: [Int64?] = []
        var storedBytes = 0
        try b!.writer.value.query("SELECT packed, length(value) FROM kv WHERE name = ? ORDER BY id", [.text(key)]) {
            packed.append(SQLiteConnection.isNull($0, 0) ? nil : SQLiteConnection.int($0, 0))
            storedBytes = Int(SQLiteConnection.int($0, 1))
        }
        XCTAssertEqual(packed, [nil, Int64(lease(2).count)])
        XCTAssertLessThan(storedBytes, lease(2).count / 2)
        let deleted = try await b!.delete(key, expectedRevision: r3)
        XCTAssertEqual(deleted.value, lease(2), "a delete returns the packed value it removed")
        await b!.close()
        b = nil

        let again = try SQLiteBackend(path: path)
        var events: [WatchEvent] = []
        for try await e in again.watch(prefix: key, afterRevision: 0) {
            events.append(e)
            if events.count == 3 { break }
        }
        XCTAssertEqual(events.map(\.type), [.put, .put, .delete])
        XCTAssertEqual(events.map(\.kv.value), [old, lease(2), lease(2)])
        XCTAssertEqual(events.map { $0.prevKV?.value }, [nil, old, lease(2)])
        let page = try await again.list(prefix: "/", revision: r3, startAfter: nil, limit: 0)
        XCTAssertEqual(page.items.map(\.value), [lease(2), [7]])
        let older = try await again.list(prefix: "/", revision: 2, startAfter: nil, limit: 0)
        XCTAssertEqual(older.items.map(\.value), [old, [7]])
        await again.close()
    }
}
