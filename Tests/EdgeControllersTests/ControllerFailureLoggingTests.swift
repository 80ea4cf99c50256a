import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeClient
import EdgeInProcess
import Synchronization
@testable import EdgeControllers

/// A reconcile error is retried with backoff, and said in the log with its key
/// once per streak, not once per retry; the recovery is said once too.
final class ControllerFailureLoggingTests: XCTestCase {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Fails each key with the errors it is given, in order, then succeeds.
    final class ScriptedController: Controller, Sendable {
        let name = "scripted"
        let script: Mutex<[String: [String]]>
        let successes = Mutex<[String: Int]>([:])

        init(_ script: [String: [String]]) { self.script = Mutex(script) }

        func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
            for key in script.withLock({ Array($0.keys) }) { queue.add(key) }
        }

        func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
            if let message = script.withLock({ s -> String? in s[key]?.isEmpty == false ? s[key]!.removeFirst() : nil }) {
                if message == "conflict" { throw APIError.staleResourceVersion(BuiltinResources.configMaps, key) }
                throw Failure(description: message)
            }
            successes.withLock { $0[key, default: 0] += 1 }
        }
    }

    func testAFailingKeyIsLoggedOncePerStreakAndOnceWhenItRecovers() async throws {
        let cluster = try await LocalCluster()
        let lines = RecordingLogHandler.Lines()
        let controller = ScriptedController([
            "default/same": ["disk full", "disk full", "disk full", "disk full"],
            "default/changing": ["disk full", "disk full", "store unavailable"],
            "default/raced": ["conflict", "conflict"],
            "default/fine": [],
        ])
        let manager = ControllerManager(context: ControllerContext(client: cluster.client, informers: SharedInformers(client: cluster.client)),
                                        controllers: [controller], logger: RecordingLogHandler.logger(lines))
        let task = Task { await manager.run() }
        defer { task.cancel() }
        try await eventually("every key reconciled") { controller.successes.withLock { $0.count } == 4 }

        XCTAssertEqual(lines.count(.warning, containing: "scripted: default/same failed, retrying with backoff: disk full"), 1,
                       "four failures with the same error: one line. \(lines.all)")
        XCTAssertEqual(lines.count(.info, containing: "scripted: default/same went through after 4 failed attempts"), 1, "\(lines.all)")
        XCTAssertEqual(lines.count(.warning, containing: "scripted: default/changing failed, retrying with backoff: disk full"), 1, "\(lines.all)")
        XCTAssertEqual(lines.count(.warning, containing: "scripted: default/changing failed, retrying with backoff: store unavailable"), 1,
                       "a different error is said again. \(lines.all)")
        XCTAssertEqual(lines.count(.info, containing: "scripted: default/changing went through after 3 failed attempts"), 1, "\(lines.all)")
        XCTAssertEqual(lines.count(.debug, containing: "scripted: default/raced changed under a write, retrying: Operation cannot be fulfilled"), 2,
                       "a lost resourceVersion race is routine: debug only, with the Status message. \(lines.all)")
        XCTAssertTrue(lines.all.allSatisfy { !$0.1.contains("default/fine") }, "a key that never failed is not logged: \(lines.all)")
        XCTAssertEqual(lines.all.filter { $0.0 >= .info }.count, 5, "\(lines.all)")
    }
}
