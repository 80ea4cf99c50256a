import XCTest
import EdgeAPI
import EdgeInProcess
import EdgeRuntime
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// An instance directory left by a start the agent did not finish (no state.json, no exit.json)
/// is removed so the attempt is made again; one whose shim may still be reporting, or that
/// started or ended, stays.
final class PodManagerUnfinishedStartTests: XCTestCase {
    struct NoImages: ImageSource {
        func present(_ reference: String) -> PodImage? { nil }
        func pull(_ reference: String, credentials: [RegistryCredential]) async throws -> PodImage { throw CancellationError() }
    }

    func testOnlyAnUnreportedStartIsDiscarded() async throws {
        var template = Array("/tmp/edgectl-agent-test-XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        defer { PosixFile.removeTree(dir) }
        let manager = PodManager(client: try await LocalCluster().client, images: NoImages(),
                                 config: PodManager.Config(nodeName: "n1", dataDir: dir, shimExecutable: "/bin/false", hostIP: "192.0.2.1"))
        let paths = PodPaths(podsRoot: dir + "/pods", uid: "u1")
        func instance(_ name: String, _ attempt: Int) throws -> String {
            let d = paths.container(name, attempt: attempt)
            try PosixFile.makeDirectories(d)
            return d
        }
        // "crashed": attempt 0 ended, attempt 1 never got past its directory.
        let ended = try instance("crashed", 0)
        try PosixFile.writeJSON(Shim.exitPath(ended), ["exitCode": 1, "signal": 0, "finishedAt": "2026-12-02T10:00:00Z", "oomKilled": false])
        let unfinished = try instance("crashed", 1)
        // "launching": config.json just written, its shim may be about to report.
        let launching = try instance("launching", 0)
        try PosixFile.writeJSON(Shim.configPath(launching), ["spec": [:]])
        // "stale": config.json written long ago and no report since.
        let stale = try instance("stale", 0)
        try PosixFile.writeJSON(Shim.configPath(stale), ["spec": [:]])
        var old = [timespec(tv_sec: time(nil) - 120, tv_nsec: 0), timespec(tv_sec: time(nil) - 120, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, Shim.configPath(stale), &old, 0), 0)

        let crashed = manager.observeDiscardingUnfinishedStart(["name": "crashed"], uid: "u1")
        let launched = manager.observeDiscardingUnfinishedStart(["name": "launching"], uid: "u1")
        let abandoned = manager.observeDiscardingUnfinishedStart(["name": "stale"], uid: "u1")
        XCTAssertFalse(PosixFile.exists(unfinished))
        XCTAssertTrue(PosixFile.exists(ended), "only the newest instance is looked at, and this one ended")
        XCTAssertTrue(PosixFile.exists(launching))
        XCTAssertFalse(PosixFile.exists(stale))
        // With the unfinished attempt gone, the one that ended is current again.
        XCTAssertEqual(crashed.attempt, 0)
        XCTAssertTrue(crashed.exitedFailed)
        XCTAssertEqual(launched.current?.dir, launching)
        XCTAssertNil(abandoned.current, "nothing left: the container is started afresh")
    }
}
