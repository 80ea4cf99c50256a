import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// The store tells the truth after damage: a WAL that was deleted, truncated or
/// corrupted after a crash makes the store refuse to open (instead of handing
/// out old resourceVersions again), and recovery moves it past every revision
/// a client can have seen, so their watches and caches start over.
final class SQLiteBackendDamageTests: TemporaryDirectoryTestCase {
    var live: String { dir + "/live/state.db" }
    var crashed: String { dir + "/crashed/state.db" }

    /// Writes through a backend that stays open, then copies its files as a crash (kill -9 or a power cut
    /// under synchronous=FULL) leaves them: the database, its WAL and the mark, but not the shared memory.
    func crashAfterWrites(_ n: Int) async throws -> (backend: SQLiteBackend, lastRevision: Int64) {
        _ = system("mkdir -p '\(dir)/live' '\(dir)/crashed'")
        let b = try SQLiteBackend(path: live)
        var rev: Int64 = 0
        for i in 0..<n { rev = try await b.create("/registry/configmaps/default/cm-\(i)", value: Array(repeating: 7, count: 200)) }
        for suffix in ["", "-wal", "-revision"] {
            XCTAssertEqual(system("cp '\(live)\(suffix)' '\(crashed)\(suffix)'"), 0, "copy \(suffix)")
        }
        return (b, rev)
    }

    func assertRefused(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SQLiteBackend(path: path), file: file, line: line) { error in
            guard case .revisionsLost(let message)? = error as? StoreError else {
                return XCTFail("expected revisionsLost, got \(error)", file: file, line: line)
            }
            XCTAssertTrue(message.contains("was already handed to clients"), message, file: file, line: line)
        }
    }

    func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : -1
    }

    func testAnIntactCrashOpensWithEveryWrite() async throws {
        let (b, last) = try await crashAfterWrites(20)
        let again = try SQLiteBackend(path: crashed)
        let rev = try await again.currentRevision()
        XCTAssertEqual(rev, last, "no false alarm after a crash that lost nothing")
        await again.close()
        await b.close()
    }

    func testADeletedWALIsRefused() async throws {
        let (b, _) = try await crashAfterWrites(20)
        XCTAssertEqual(unlink(crashed + "-wal"), 0)
        assertRefused(crashed)
        await b.close()
    }

    func testATruncatedWALIsRefused() async throws {
        let (b, _) = try await crashAfterWrites(20)
        // Keep the WAL header and one frame: the commits after it are gone.
        XCTAssertEqual(truncate(crashed + "-wal", off_t(32 + 24 + 4096)), 0)
        assertRefused(crashed)
        await b.close()
    }

    func testACorruptedWALIsRefused() async throws {
        let (b, _) = try await crashAfterWrites(20)
        XCTAssertGreaterThan(fileSize(crashed + "-wal"), 32 + 24 + 100)
        let fd = open(crashed + "-wal", O_WRONLY)
        let junk = [UInt8](repeating: 0x5A, count: 64)
        _ = junk.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 32 + 24 + 16) }
        close(fd)
        assertRefused(crashed)
        await b.close()
    }

    func testALostWALAfterACheckpointIsRefused() async throws {
        _ = system("mkdir -p '\(dir)/live' '\(dir)/crashed'")
        let b = try SQLiteBackend(path: live)
        // Enough pages for the WAL to be checkpointed and start over, then a few writes only it holds.
        for i in 0..<600 { _ = try await b.create("/registry/big/\(i)", value: Array(repeating: 3, count: 4000)) }
        let checkpointed = try await b.currentRevision()
        for i in 0..<5 { _ = try await b.create("/registry/after/\(i)", value: [1]) }
        for suffix in ["", "-wal", "-revision"] { XCTAssertEqual(system("cp '\(live)\(suffix)' '\(crashed)\(suffix)'"), 0) }
        let intact = try SQLiteBackend(path: crashed)
        let rev = try await intact.currentRevision()
        XCTAssertEqual(rev, checkpointed + 5)
        await intact.close()
        for suffix in ["", "-wal", "-revision"] { XCTAssertEqual(system("cp '\(live)\(suffix)' '\(crashed)\(suffix)'"), 0) }
        XCTAssertEqual(unlink(crashed + "-wal"), 0)
        assertRefused(crashed)
        await b.close()
    }

    func testACleanCloseNeedsNoWAL() async throws {
        var b: SQLiteBackend? = try SQLiteBackend(path: dir + "/state.db")
        let last = try await b!.create("/registry/k", value: [1])
        await b!.close()
        b = nil
        XCTAssertEqual(fileSize(dir + "/state.db-wal") <= 0, true, "the WAL is empty or gone after a clean close")
        let mark = try RevisionMark.peek(path: dir + "/state.db-revision")
        XCTAssertEqual(mark?.committed, last, "the mark is exact after a clean close")
        let again = try SQLiteBackend(path: dir + "/state.db")
        let rev = try await again.currentRevision()
        XCTAssertEqual(rev, last)
    }

    func testRecoveryMovesPastEveryRevisionClientsSaw() async throws {
        let (b, last) = try await crashAfterWrites(20)
        let reserved = b.mark.value.reserved
        XCTAssertGreaterThanOrEqual(reserved, last, "the mark covers every revision handed out")
        XCTAssertEqual(unlink(crashed + "-wal"), 0)
        assertRefused(crashed)

        let recovery = try SQLiteBackend.recover(path: crashed)
        XCTAssertLessThan(recovery.storeRevision, last)
        XCTAssertEqual(recovery.markReserved, reserved)
        XCTAssertGreaterThan(recovery.revision, reserved)

        let again = try SQLiteBackend(path: crashed)
        let current = try await again.currentRevision()
        XCTAssertEqual(current, recovery.revision)
        let next = try await again.create("/registry/configmaps/default/after", value: [1])
        XCTAssertGreaterThan(next, reserved, "no revision a client saw is handed out again")
        // A client that watched or listed at its old revision starts over (410 Gone, then a relist).
        var failed: Error?
        do { for try await _ in again.watch(prefix: "/registry/", afterRevision: last) { break } } catch { failed = error }
        guard case .compacted? = failed as? StoreError else { return XCTFail("a watch from before the loss must be refused, got \(String(describing: failed))") }
        do {
            _ = try await again.list(prefix: "/registry/", revision: last, startAfter: nil, limit: 0)
            XCTFail("a list at a revision from before the loss must be refused")
        } catch StoreError.compacted {}
        let listed = try await again.list(prefix: "/registry/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertTrue(listed.items.contains { $0.key == "/registry/configmaps/default/after" })
        await again.close()
        await b.close()
    }

    func testRecoveryWithoutAMarkMovesFarAhead() async throws {
        let (b, last) = try await crashAfterWrites(3)
        XCTAssertEqual(unlink(crashed + "-revision"), 0)
        let recovery = try SQLiteBackend.recover(path: crashed)
        XCTAssertNil(recovery.markReserved)
        XCTAssertGreaterThan(recovery.revision, last + SQLiteBackend.unknownMarkMargin)
        await b.close()
    }

    func testRecoveryAndASecondServerWaitForTheFirstToStop() async throws {
        let b = try SQLiteBackend(path: dir + "/state.db")
        XCTAssertThrowsError(try SQLiteBackend.recover(path: dir + "/state.db")) { error in
            XCTAssertTrue("\(error)".contains("in use by another edgectl process"), "\(error)")
        }
        XCTAssertThrowsError(try SQLiteBackend(path: dir + "/state.db"))
        await b.close()
    }

    func testATombstoneKeepsNoCopyOfTheValueButHistoryStillShowsIt() async throws {
        let b = try SQLiteBackend(path: dir + "/state.db")
        let big = [UInt8](repeating: 9, count: 256 * 1024)
        let r1 = try await b.create("/registry/k", value: big)
        let deleted = try await b.delete("/registry/k", expectedRevision: r1)
        XCTAssertEqual(deleted.value, big)
        let rows = try await b.read { c -> Int64 in
            var n: Int64 = -1
            try c.query("SELECT COALESCE(LENGTH(value), 0) FROM kv WHERE deleted = 1") { n = SQLiteConnection.int($0, 0) }
            return n
        }
        XCTAssertEqual(rows, 0, "a delete writes a few bytes, not a copy of the object")
        var events: [WatchEvent] = []
        for try await e in b.watch(prefix: "/registry/", afterRevision: 0) {
            events.append(e)
            if events.count == 2 { break }
        }
        XCTAssertEqual(events.map(\.type), [.put, .delete])
        XCTAssertEqual(events[1].kv.value, big, "a watcher replaying history still sees what was deleted")
        XCTAssertEqual(events[1].prevKV?.value, big)
        await b.close()
    }
}
