import XCTest
import EdgeTestSupport
import Synchronization
import EdgeAPI
import EdgeClient
import EdgeInProcess
@testable import EdgeAgent

/// A node that cannot renew its lease goes NotReady on the server; the agent
/// says why, once per streak of the same failure, and once when it recovers.
final class NodeAgentFailureReportTests: XCTestCase {
    func testALeaseThatCannotBeRenewedIsReportedOnceAndItsRecoveryOnce() async throws {
        let cluster = try await LocalCluster()
        let refusal = RefusingTransport(over: InProcessTransport.make(cluster.service, user: LocalCluster.admin)) {
            $0.method != "GET" && $0.uri.contains("/leases")
        }
        let reports = Mutex<[String]>([])
        var cfg = NodeAgent.Config(nodeName: "pi-1")
        cfg.leaseInterval = .milliseconds(20)
        cfg.statusCheckInterval = .seconds(60)
        cfg.report = { line in reports.withLock { $0.append(line) } }
        let agent = NodeAgent(client: refusal.client, config: cfg, facts: FakeNodeFacts())
        let task = Task { await agent.run() }
        defer { task.cancel() }
        let leases = BuiltinResources.leases
        try await eventually("the first lease") {
            try await cluster.client.getIfExists(leases, namespace: "kube-node-lease", name: "pi-1") != nil
        }

        refusal.refusing.withLock { $0 = true }
        try await eventually("five refused renewals") { refusal.refused.withLock { $0 } >= 5 }
        refusal.refusing.withLock { $0 = false }
        try await eventually("the recovery reported") { reports.withLock { $0.contains { $0.contains("works again") } } }

        let said = reports.withLock { $0 }
        let failures = said.filter { $0.contains("cannot renew the lease of node pi-1") }
        XCTAssertEqual(failures.count, 1, "one line for the streak, not one per renewal: \(said)")
        XCTAssertTrue(failures.first?.contains("etcdserver: request timed out") == true, "the server's reason is given: \(said)")
        let refused = refusal.refused.withLock { $0 }
        XCTAssertEqual(said.filter { $0.contains("renewing the node's lease works again after \(refused) failed attempts") }.count, 1,
                       "the recovery counts every refused renewal: \(said)")
    }
}
