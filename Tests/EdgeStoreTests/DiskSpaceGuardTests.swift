import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import EdgeStore

/// The disk-full alarm's policy (the filling itself is tests/e2e/test_full_disk.py, on a small tmpfs).
final class DiskSpaceGuardTests: TemporaryDirectoryTestCase {
    func size(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : -1
    }

    func testTheStoresReserveHoldsAWholeWALOfPages() async throws {
        // Freed by the alarm, the reserve is where the first checkpoint grows the database file to; smaller than
        // the WAL's unchecked pages, that checkpoint never finishes, the WAL never starts over and a second delete
        // finds no room (what test_full_disk.py caught with a 2 MiB reserve).
        let b = try SQLiteBackend(path: dir + "/state.db")
        defer { Task { await b.close() } }
        var pageSize: Int64 = 0
        try b.writer.value.query("PRAGMA page_size") { pageSize = SQLiteConnection.int($0, 0) }
        XCTAssertGreaterThan(pageSize, 0)
        XCTAssertGreaterThanOrEqual(size(dir + "/state.db-reserve"), Int64(b.checkpointer.thresholdPages) * pageSize + (2 << 20))
        XCTAssertGreaterThanOrEqual(b.space.reserveBytes, Int64(b.checkpointer.thresholdPages) * pageSize + (2 << 20))
    }

    func testUnderTheAlarmOnlyDeletesAndAFewEventsGoThrough() {
        let g = DiskSpaceGuard(databasePath: dir + "/state.db", reserveBytes: 64 * 1024)
        XCTAssertTrue(g.ensureReserve())
        XCTAssertEqual(size(dir + "/state.db-reserve"), 64 * 1024)
        XCTAssertTrue(g.admits(.create("/registry/configmaps/default/a", [1])), "no alarm: everything")

        XCTAssertTrue(g.exhausted(freeInDatabase: 0), "the first failure raises the alarm")
        XCTAssertFalse(g.exhausted(freeInDatabase: 0), "once")
        XCTAssertEqual(size(dir + "/state.db-reserve"), -1, "the reserve is given back to the disk")
        XCTAssertTrue(g.admits(.delete("/registry/configmaps/default/a", nil)))
        XCTAssertFalse(g.admits(.create("/registry/configmaps/default/b", [1])))
        XCTAssertFalse(g.admits(.update("/registry/configmaps/default/a", [1], 3)))
        var events = 0
        while g.admits(.create("/registry/events/default/e\(events)", [1])), events < 100 { events += 1 }
        XCTAssertEqual(events, DiskSpaceGuard.eventsPerAlarm, "events say why, within a budget")
    }

    func testTheAlarmLiftsWhenDeletesFreeRoomInTheDatabase() {
        // A reserve larger than any disk: only space freed inside the database can lift the alarm.
        let huge = Int64(1) << 60
        let g = DiskSpaceGuard(databasePath: dir + "/state.db", reserveBytes: huge)
        XCTAssertFalse(g.ensureReserve(), "no reserve without room for it")
        _ = g.exhausted(freeInDatabase: 1000)
        XCTAssertFalse(g.liftIfRecovered(freeInDatabase: 1000 + huge - 1))
        XCTAssertTrue(g.alarmed)
        XCTAssertTrue(g.liftIfRecovered(freeInDatabase: 1000 + huge))
        XCTAssertFalse(g.alarmed)
        XCTAssertTrue(g.admits(.create("/registry/configmaps/default/b", [1])))
    }

    func testTheAlarmLiftsWhenTheDiskHasRoomAgain() {
        let g = DiskSpaceGuard(databasePath: dir + "/state.db", reserveBytes: 64 * 1024)
        _ = g.exhausted(freeInDatabase: 0)
        XCTAssertTrue(g.liftIfRecovered(freeInDatabase: 0), "this disk has far more than twice the reserve free")
        XCTAssertEqual(size(dir + "/state.db-reserve"), 64 * 1024, "and the reserve is back")
    }
}
