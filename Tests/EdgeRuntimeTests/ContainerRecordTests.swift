import CEdgeRuntime
import EdgeAPI
import EdgeRuntime
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// How a container directory reads while its container ends: between the
/// supervisor reaping the container's init and writing exit.json the record must
/// still say running (a finished pod's phase never changes again, so reading a
/// clean exit as killed there would fail the pod for good); only with the
/// supervisor gone as well is the end lost and reported as 137.
final class ContainerRecordTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/edgectl-record-XXXXXX".utf8CString)
        guard let d = mkdtemp(&template) else { throw XCTSkip("no temporary directory") }
        dir = String(cString: d)
    }

    override func tearDown() { if !dir.isEmpty { PosixFile.removeTree(dir) } }

    /// A process that has exited and been reaped: its pid names nothing (or, later, someone else).
    func reapedPid() -> (pid: Int32, ticks: UInt64) {
        let pid = fork()
        if pid == 0 { _exit(0) }
        let ticks = edge_process_start_ticks(pid)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (pid, ticks == 0 ? 1 : ticks)
    }

    func writeState(pid: Int32, ticks: UInt64, shimPid: Int32, shimTicks: UInt64?) throws {
        var s: JSON = ["pid": .int(Int64(pid)), "startTicks": .int(Int64(ticks)), "shimPid": .int(Int64(shimPid)),
                       "startedAt": "2026-12-02T10:00:00Z"]
        if let shimTicks { s["shimStartTicks"] = .int(Int64(shimTicks)) }
        try PosixFile.writeJSON(Shim.statePath(dir), s)
    }

    /// The record of a container whose init has exited and been reaped, with no exit.json (yet).
    func readWithInitGone(shimPid: Int32, shimTicks: UInt64?) throws -> ContainerRecord {
        let gone = reapedPid()
        try writeState(pid: gone.pid, ticks: gone.ticks, shimPid: shimPid, shimTicks: shimTicks)
        return ContainerRecord.read(dir)
    }

    func testRunningWhileTheContainerLives() throws {
        try writeState(pid: getpid(), ticks: edge_process_start_ticks(getpid()), shimPid: getpid(), shimTicks: nil)
        let r = ContainerRecord.read(dir)
        XCTAssertTrue(r.running)
        XCTAssertNil(r.exit)
    }

    func testEndingIsStillRunningWhileTheSupervisorLives() throws {
        let r = try readWithInitGone(shimPid: getpid(), shimTicks: edge_process_start_ticks(getpid()))
        XCTAssertTrue(r.running, "the supervisor has yet to write exit.json; no exit may be concluded")
        XCTAssertNil(r.exit)
        // exit.json, once written, is what the record reports.
        try PosixFile.writeJSON(Shim.exitPath(dir), ["exitCode": 0, "signal": 0, "finishedAt": "2026-12-02T10:00:01Z", "oomKilled": false])
        let done = ContainerRecord.read(dir)
        XCTAssertFalse(done.running)
        XCTAssertEqual(done.exit?.exitCode, 0)
        XCTAssertEqual(done.exit?.signal, 0)
    }

    func testLostWhenTheSupervisorIsGoneToo() throws {
        let shim = reapedPid()
        let r = try readWithInitGone(shimPid: shim.pid, shimTicks: shim.ticks)
        XCTAssertFalse(r.running)
        XCTAssertEqual(r.exit?.exitCode, 137)
        XCTAssertEqual(r.exit?.signal, 9)
    }

    func testASupervisorPidReusedByAnotherProcessDoesNotCount() throws {
        // Our own pid with another start time: the pid lives, but it is not the supervisor that was recorded.
        XCTAssertEqual(try readWithInitGone(shimPid: getpid(), shimTicks: edge_process_start_ticks(getpid()) + 1).exit?.exitCode, 137)
    }

    func testARecordWithoutTheSupervisorsStartTimeDoesNotTrustItsPid() throws {
        XCTAssertEqual(try readWithInitGone(shimPid: getpid(), shimTicks: nil).exit?.exitCode, 137, "a bare supervisor pid (an older record) may be anyone's now")
    }

    func testAZombieIsNotAlive() {
        let pid = fork()
        if pid == 0 { _exit(0) }
        let ticks = edge_process_start_ticks(pid)
        // Until reaped the child is a zombie: /proc still lists it with its start time.
        var alive: Int32 = 1
        for _ in 0..<200 where alive == 1 {
            alive = edge_process_alive(pid, ticks)
            if alive == 1 { usleep(5_000) }
        }
        XCTAssertEqual(alive, 0)
        XCTAssertNotEqual(edge_process_start_ticks(pid), 0, "still unreaped, so still listed")
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual(edge_process_alive(pid, ticks), 0)
    }
}
