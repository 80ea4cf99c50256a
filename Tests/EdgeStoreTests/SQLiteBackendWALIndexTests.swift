import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// The WAL index in the process's memory: no `-shm` file (whose pages every commit dirtied on the card), while
/// every connection of the process (readers, watches' history, snapshots) still sees every commit.
final class SQLiteBackendWALIndexTests: TemporaryDirectoryTestCase {
    func testNoSharedMemoryFileWhileTheStoreIsOpenAndEveryConnectionSeesEachCommit() async throws {
        let path = dir + "/state.db"
        let b = try SQLiteBackend(path: path)
        var last: Int64 = 0
        for i in 0..<20 {
            last = try await b.create("/k/\(i)", value: Array(repeating: UInt8(i), count: 800))
            let got = try await b.get("/k/\(i)")
            XCTAssertEqual(got?.modRevision, last, "a reader sees the commit it follows")
        }
        XCTAssertEqual(access(path + "-wal", F_OK), 0, "the store is in WAL mode")
        XCTAssertNotEqual(access(path + "-shm", F_OK), 0, "no -shm file: the WAL index is in the process's memory")
        let listed = try await b.list(prefix: "/k/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(listed.items.count, 20)
        // A watch from the past reads history through a connection of its own.
        await b.releaseMemory()
        var seen = 0
        for try await e in b.watch(prefix: "/k/", afterRevision: last - 5) {
            seen += 1
            if e.kv.modRevision == last { break }
        }
        XCTAssertEqual(seen, 5)
        // The snapshot `edgectl backup save` asks the server for is taken in the server's process.
        try SQLiteBackend.snapshot(path: path, to: dir + "/snap.db")
        await b.close()
        XCTAssertNotEqual(access(path + "-shm", F_OK), 0)
        let snap = try SQLiteConnection(path: dir + "/snap.db", readOnly: true)
        var n: Int64 = 0
        try snap.query("SELECT COUNT(*) FROM kv") { n = SQLiteConnection.int($0, 0) }
        XCTAssertEqual(n, 20)
    }

    func testReadConnectionsRefuseChanges() throws {
        let path = dir + "/state.db"
        let w = try SQLiteConnection(path: path, readOnly: false)
        try w.exec("CREATE TABLE t (x INTEGER)")
        let r = try SQLiteConnection(path: path, readOnly: true)
        XCTAssertThrowsError(try r.exec("INSERT INTO t VALUES (1)"))
    }
}
