import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeAgent
import EdgeClient
import EdgeInProcess
@testable import EdgeScheduler

/// A PodScheduled condition the API refuses is logged with the pod's key; the
/// FailedScheduling event still tells the pod's story.
final class SchedulerConditionFailureTests: XCTestCase {
    func testARefusedConditionWriteIsLoggedWithThePodsKey() async throws {
        let cluster = try await LocalCluster()
        let refusal = RefusingTransport(over: InProcessTransport.make(cluster.service, user: LocalCluster.admin)) {
            $0.method == "PATCH" && $0.uri.hasPrefix("/api/v1/namespaces/default/pods/big/status")
        }
        refusal.refusing.withLock { $0 = true }
        let lines = RecordingLogHandler.Lines()
        var cfg = HollowNodes.Config(count: 1)
        cfg.memory = "1Gi"
        let nodes = HollowNodes(client: cluster.client, config: cfg)
        let scheduler = Scheduler(client: refusal.client, logger: RecordingLogHandler.logger(lines))
        let tasks: [Task<Void, Never>] = [Task { try? await nodes.run() }, Task { await scheduler.run() }]
        defer { tasks.forEach { $0.cancel() } }
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "big"],
                         "spec": ["containers": [["name": "c", "image": "busybox", "resources": ["requests": ["memory": "4Gi"]]]]]]
        _ = try await cluster.client.create(BuiltinResources.pods, namespace: "default", pod)
        try await eventually("the FailedScheduling event") {
            try await cluster.client.list(BuiltinResources.events, namespace: "default").items.contains {
                $0["reason"]?.string == "FailedScheduling" && $0[path: ["involvedObject", "name"]]?.string == "big"
            }
        }
        XCTAssertGreaterThanOrEqual(refusal.refused.withLock { $0 }, 1)
        XCTAssertEqual(lines.count(.warning, containing: "cannot set PodScheduled=False on default/big: "), 1, "\(lines.all)")
        let stored = try await cluster.client.get(BuiltinResources.pods, namespace: "default", name: "big")
        XCTAssertNil(stored[path: ["status", "conditions"]]?.array?.first { $0["type"]?.string == "PodScheduled" }, "the write was refused")
    }
}
