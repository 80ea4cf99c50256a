import XCTest
import Synchronization
import EdgeAPI
@testable import EdgeControllers

/// Per-pod CPU usage the test sets: every pod of the namespace reports `perPod`.
final class FakePodMetrics: PodMetricsSource {
    let perPod = Mutex<Int64?>(nil)
    func cpuUsage(namespace: String, pods: [String]) async throws -> [String: Int64] {
        guard let u = perPod.withLock({ $0 }) else { return [:] }
        return Dictionary(uniqueKeysWithValues: pods.map { ($0, u) })
    }
}

final class HorizontalPodAutoscalerTests: XCTestCase {
    static let hpas = BuiltinResources.horizontalPodAutoscalers
    static let rs = BuiltinResources.replicaSets

    func setUp(_ c: TestCluster, window: Int64) async throws {
        _ = try await c.client.create(Self.rs, namespace: "default", [
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "web"],
            "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]],
                     "template": ["metadata": ["labels": ["app": "web"]],
                                  "spec": ["containers": [["name": "c", "image": "i", "resources": ["requests": ["cpu": "100m"]]]]]]]])
        _ = try await c.client.create(Self.hpas, namespace: "default", [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "web"],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web"], "minReplicas": 2, "maxReplicas": 6,
                     "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 50]]]],
                     "behavior": ["scaleDown": ["stabilizationWindowSeconds": .int(window)]]]])
    }

    func replicas(_ c: TestCluster) async throws -> Int64? {
        try await c.client.get(Self.rs, namespace: "default", name: "web")[path: ["spec", "replicas"]]?.int
    }

    func hpaStatus(_ c: TestCluster) async throws -> JSON {
        try await c.client.get(Self.hpas, namespace: "default", name: "web")["status"] ?? [:]
    }

    func cond(_ s: JSON, _ type: String) -> JSON? { s["conditions"]?.array?.first { $0["type"]?.string == type } }

    func testScalesUpToMaxOnLoadAndBackDownToMin() async throws {
        let metrics = FakePodMetrics()
        let c = try await TestCluster([ReplicaSetController(), HorizontalPodAutoscalerController(metrics: metrics, syncPeriod: .milliseconds(100))])
        c.start()
        defer { c.stop() }
        try await setUp(c, window: 0)
        try await c.eventually("no metrics reported") {
            self.cond(try await self.hpaStatus(c), "ScalingActive")?["reason"]?.string == "FailedGetResourceMetric"
        }
        let unchanged = try await replicas(c)
        XCTAssertEqual(unchanged, 2, "no metrics, no scaling")
        // 200m used of 100m requested = 200% against a 50% target: 2 pods * 4 = 8, capped at 6.
        metrics.perPod.withLock { $0 = 200 }
        try await c.eventually("scaled to max") { try await self.replicas(c) == 6 }
        try await c.eventually("limited") {
            let s = try await self.hpaStatus(c)
            return self.cond(s, "ScalingLimited")?["reason"]?.string == "TooManyReplicas" && s["desiredReplicas"]?.int == 6
                && s["currentMetrics"]?.array?.first?[path: ["resource", "current", "averageUtilization"]]?.int == 200
        }
        // Within the 10% tolerance nothing moves: 6 pods at 52% of a 50% target.
        try await c.markPodsRunning()
        metrics.perPod.withLock { $0 = 52 }
        try await Task.sleep(for: .milliseconds(400))
        let steady = try await replicas(c)
        XCTAssertEqual(steady, 6)
        metrics.perPod.withLock { $0 = 5 }
        try await c.eventually("scaled to min") { try await self.replicas(c) == 2 }
        let events = try await c.client.list(BuiltinResources.events, namespace: "default").items
        XCTAssertTrue(events.contains { $0["reason"]?.string == "SuccessfulRescale" && ($0["message"]?.string ?? "").hasPrefix("New size: 6;") })
    }

    func testScaleDownWaitsForTheStabilizationWindow() async throws {
        let metrics = FakePodMetrics()
        let c = try await TestCluster([ReplicaSetController(), HorizontalPodAutoscalerController(metrics: metrics, syncPeriod: .milliseconds(100))])
        c.start()
        defer { c.stop() }
        try await setUp(c, window: 300)
        metrics.perPod.withLock { $0 = 100 }
        // Each new pod reports the same load, so it keeps growing to the maximum.
        try await c.eventually("scaled up") { try await self.replicas(c) == 6 }
        metrics.perPod.withLock { $0 = 1 }
        try await Task.sleep(for: .milliseconds(500))
        let held = try await replicas(c)
        XCTAssertEqual(held, 6, "the higher recommendation within 5 minutes holds")
    }

    func testMissingTargetIsReported() async throws {
        let c = try await TestCluster([HorizontalPodAutoscalerController(metrics: FakePodMetrics(), syncPeriod: .milliseconds(100))])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.hpas, namespace: "default", [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "web"],
            "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "ghost"], "maxReplicas": 3]])
        try await c.eventually("FailedGetScale") {
            let s = try await self.hpaStatus(c)
            return self.cond(s, "AbleToScale")?["status"]?.string == "False" && (self.cond(s, "AbleToScale")?["message"]?.string ?? "").contains("\"ghost\" not found")
        }
    }
}
