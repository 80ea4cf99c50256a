import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

final class SQLiteBackendTests: XCTestCase {
    var dir = ""

    override func setUp() {
        var template = Array("/tmp/edgectl-store-XXXXXX".utf8CString)
        dir = String(cString: mkdtemp(&template))
    }

    override func tearDown() {
        _ = system("rm -rf '\(dir)'")
    }

    func open() throws -> SQLiteBackend { try SQLiteBackend(path: dir + "/state.db") }

    func testCRUDAndCAS() async throws { try await BackendConformance.crudAndCAS(try open()) }
    func testListPagingAndHistory() async throws { try await BackendConformance.listPagingAndHistory(try open()) }
    func testWatchReplayThenLive() async throws { try await BackendConformance.watchReplayThenLiveNoGapNoDuplicate(try open()) }
    func testWatchCarriesPrevious() async throws { try await BackendConformance.watchDeleteAndUpdateCarryPrevious(try open()) }
    func testCompaction() async throws { try await BackendConformance.compaction(try open()) }

    func testReopenKeepsDataAndRevisionsOnlyGrow() async throws {
        var b: SQLiteBackend? = try open()
        let r1 = try await b!.create("/k/a", value: Array("1".utf8))
        let r2 = try await b!.create("/k/b", value: Array("2".utf8))
        _ = try await b!.delete("/k/b", expectedRevision: r2)
        try await b!.compact(revision: try await b!.currentRevision())
        await b!.close()
        b = nil
        let again = try open()
        let a = try await again.get("/k/a")
        XCTAssertEqual(a?.modRevision, r1)
        let rev = try await again.currentRevision()
        XCTAssertEqual(rev, r2 + 1, "the deletion's revision is remembered even though compaction removed its row")
        let r3 = try await again.create("/k/c", value: [1])
        XCTAssertEqual(r3, r2 + 2)
        let compacted = try await again.compactedRevision()
        XCTAssertEqual(compacted, r2 + 1)
    }

    func testConcurrentWritesAreGroupCommitted() async throws {
        let b = try open()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for w in 0..<16 {
                g.addTask { for i in 0..<25 { _ = try await b.create("/g/\(w)/\(i)", value: Array(repeating: 1, count: 1500)) } }
            }
            try await g.waitForAll()
        }
        let (tx, ops) = b.stats.withLock { $0 }
        XCTAssertEqual(ops, 400)
        XCTAssertLessThan(tx, ops, "concurrent writes share transactions")
    }

    func testFailedOpDoesNotFailItsBatch() async throws {
        let b = try open()
        _ = try await b.create("/f/taken", value: [1])
        let results = await withTaskGroup(of: Bool.self, returning: [Bool].self) { g in
            for i in 0..<20 {
                g.addTask { (try? await b.create(i % 2 == 0 ? "/f/taken" : "/f/new\(i)", value: [2])) != nil }
            }
            return await g.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(results.filter { $0 }.count, 10)
        let n = try await b.count(prefix: "/f/")
        XCTAssertEqual(n, 11)
    }

    func testWALStaysBoundedAfterCompaction() async throws {
        let b = try open()
        var rev: Int64 = try await b.create("/wal/k", value: Array(repeating: 7, count: 4000))
        for _ in 0..<3000 { rev = try await b.update("/wal/k", value: Array(repeating: 7, count: 4000), expectedRevision: rev) }
        try await b.compact(revision: rev)
        XCTAssertLessThan(b.walSize(), 16 * 1024 * 1024, "journal_size_limit keeps the WAL small")
        let rows = try await b.list(prefix: "/wal/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(rows.items.count, 1)
    }
}

extension SQLiteBackendTests {
    func testSnapshotWhileWritingAndRestorePastTheReplacedRevisions() async throws {
        let path = dir + "/state.db"
        let b = try open()
        var acked: [String: Int64] = [:]
        for i in 0..<50 { acked["/s/\(i)"] = try await b.create("/s/\(i)", value: [UInt8(i)]) }
        let writer = Task { for i in 50..<400 { _ = try? await b.create("/s/\(i)", value: [1]) } }
        try SQLiteBackend.snapshot(path: path, to: dir + "/snap.db")
        await writer.value
        let last = try await b.currentRevision()
        await b.close()
        XCTAssertTrue(SQLiteBackend.isSnapshot(dir + "/snap.db"))
        let r = try SQLiteBackend.restore(snapshot: dir + "/snap.db", to: path)
        XCTAssertGreaterThanOrEqual(r.snapshotRevision, 50, "every write acknowledged before the snapshot is in it")
        XCTAssertGreaterThan(r.revision, last, "the store starts past every revision the replaced one handed out (or reserved)")
        let again = try open()
        for (k, rev) in acked {
            let kv = try await again.get(k)
            XCTAssertEqual(kv?.modRevision, rev, k)
        }
        let compacted = try await again.compactedRevision()
        XCTAssertEqual(compacted, r.revision, "watches from before the restore get 410 and relist")
        let next = try await again.create("/after", value: [1])
        XCTAssertEqual(next, r.revision + 1)
        await again.close()
    }
}

extension SQLiteBackendTests {
    func testSchemaVersionIsRecordedAndANewerOneRefused() async throws {
        let b = try open()
        _ = try await b.create("/v/a", value: [1])
        await b.close()
        let c = try SQLiteConnection(path: dir + "/state.db", readOnly: false)
        var version: Int64 = 0
        try c.query("SELECT v FROM meta WHERE k = 'schema_version'") { version = SQLiteConnection.int($0, 0) }
        XCTAssertEqual(version, KVSchema.sqlite.latestVersion)
        try c.exec("UPDATE meta SET v = 99 WHERE k = 'schema_version'")
        XCTAssertThrowsError(try open()) { XCTAssertTrue("\($0)".contains("newer than this edgectl knows"), "\($0)") }
    }
}
