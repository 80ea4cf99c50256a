import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeAPIServer
import EdgeRegistry
import EdgeClient
import EdgeInProcess
@testable import EdgeControllers

/// The reconciler runs a round every few seconds for the server's whole life:
/// a store that refuses its writes is said once, and once more when it recovers.
final class APIServerEndpointsFailureLogTests: XCTestCase {
    func testRefusedRoundsAreLoggedOncePerStreak() async throws {
        let cluster = try await LocalCluster()
        // Endpoints that list another address, so every round has a write to make.
        try await ClusterBootstrap.ensureSystemObjects(cluster.store, apiServerIP: "10.0.0.1", apiServerPort: 6443)
        let refusal = RefusingTransport(over: InProcessTransport.make(cluster.service, user: LocalCluster.admin)) {
            $0.method != "GET" && $0.uri.contains("/endpoints")
        }
        let lines = RecordingLogHandler.Lines()
        let reconciler = APIServerEndpointsReconciler(client: refusal.client, ip: "10.0.0.9", port: 6443, interval: .milliseconds(20),
                                                      alone: true, logger: RecordingLogHandler.logger(lines))
        refusal.refusing.withLock { $0 = true }
        let task = Task { await reconciler.run() }
        defer { task.cancel() }
        try await eventually("five refused rounds") { refusal.refused.withLock { $0 } >= 5 }
        refusal.refusing.withLock { $0 = false }
        try await eventually("this server listed") {
            let ep = try await cluster.client.get(BuiltinResources.endpoints, namespace: "default", name: "kubernetes")
            return ep[path: ["subsets"]]?.array?.first?[path: ["addresses"]]?.array?.first?["ip"]?.string == "10.0.0.9"
        }
        try await eventually("the recovery logged") { lines.count(.info, containing: "up to date again") == 1 }
        XCTAssertEqual(lines.count(.warning, containing: "cannot keep default/kubernetes up to date"), 1,
                       "one line for the streak: \(lines.all)")
        XCTAssertEqual(lines.count(.warning, containing: "etcdserver: request timed out"), 1, "with the store's reason: \(lines.all)")
    }
}
