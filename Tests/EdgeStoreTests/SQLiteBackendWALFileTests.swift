import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// The WAL file has its full size from the start: commits overwrite its blocks instead of growing it (what an
/// SD card's filesystem charges extra for), and the zeros past the last commit are never taken for frames.
final class SQLiteBackendWALFileTests: TemporaryDirectoryTestCase {
    func testTheWALHasItsSizeAtOpenAndCommitsDoNotGrowIt() async throws {
        let b = try SQLiteBackend(path: dir + "/state.db")
        XCTAssertEqual(b.walBytes, 32 + 1064 * 1048, "the threshold's frames and room for the commit that crosses it")
        XCTAssertEqual(b.walSize(), b.walBytes)
        for i in 0..<100 { _ = try await b.create("/registry/k/\(i)", value: Array(repeating: UInt8(i), count: 600)) }
        XCTAssertGreaterThan(b.checkpointer.frames, 100)
        XCTAssertEqual(b.walSize(), b.walBytes, "the commits overwrote the zeros")
        await b.close()
        // After a clean close the WAL is gone; the next start gives it its size again.
        let again = try SQLiteBackend(path: dir + "/state.db")
        XCTAssertEqual(again.walSize(), again.walBytes)
        let got = try await again.get("/registry/k/99")
        XCTAssertEqual(got?.value, Array(repeating: 99, count: 600))
        await again.close()
    }

    /// A crash leaves the WAL with its commits and the zeros after them: every acknowledged write is read back.
    func testEveryCommitIsRecoveredFromAWALWithZerosAfterIt() async throws {
        _ = system("mkdir -p '\(dir)/live' '\(dir)/crashed'")
        let live = dir + "/live/state.db", crashed = dir + "/crashed/state.db"
        let b = try SQLiteBackend(path: live)
        var last: Int64 = 0
        for i in 0..<40 { last = try await b.create("/registry/k/\(i)", value: Array("value-\(i)".utf8)) }
        XCTAssertEqual(b.walSize(), b.walBytes)
        // A copy of the open store's files is what kill -9 leaves.
        for suffix in ["", "-wal", "-revision"] { XCTAssertEqual(system("cp '\(live)\(suffix)' '\(crashed)\(suffix)'"), 0) }
        let recovered = try SQLiteBackend(path: crashed)
        let rev = try await recovered.currentRevision()
        XCTAssertEqual(rev, last)
        let listed = try await recovered.list(prefix: "/registry/k/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(Set(listed.items.map { String(decoding: $0.value, as: UTF8.self) }), Set((0..<40).map { "value-\($0)" }))
        let next = try await recovered.create("/registry/k/after", value: [1])
        XCTAssertEqual(next, last + 1)
        await recovered.close()
        await b.close()
    }

    func testPreparingOnlyAppendsZeros() throws {
        let path = dir + "/file-wal"
        let head = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }
        XCTAssertEqual(head.withUnsafeBytes { FileBytes.write(path, $0) }, head.count)
        XCTAssertNil(SQLiteBackend.prepareWALFile(path, bytes: 12_345))
        let grown = FileBytes.read(path)
        XCTAssertEqual(grown.count, 12_345)
        XCTAssertEqual(Array(grown[..<5000]), head, "what was there stays")
        XCTAssertTrue(grown[5000...].allSatisfy { $0 == 0 })
        XCTAssertNil(SQLiteBackend.prepareWALFile(path, bytes: 100), "a longer file is left as it is")
        XCTAssertEqual(FileBytes.read(path).count, 12_345)
        XCTAssertNil(SQLiteBackend.prepareWALFile(dir + "/absent-wal", bytes: 4096), "no WAL, nothing to prepare")
        XCTAssertNotEqual(access(dir + "/absent-wal", F_OK), 0, "and none is made")
        XCTAssertEqual(SQLiteBackend.prepareWALFile(dir + "/no/such/dir/x-wal", bytes: 4096), nil)
    }
}
