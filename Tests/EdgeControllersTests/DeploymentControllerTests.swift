import XCTest
import EdgeAPI
@testable import EdgeControllers

final class DeploymentControllerTests: XCTestCase {
    static let deployments = BuiltinResources.deployments
    static let replicaSets = BuiltinResources.replicaSets

    func deployment(_ name: String, replicas: Int64, image: String, strategy: JSON? = nil) -> JSON {
        var d: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
                       "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                                "template": ["metadata": ["labels": ["app": .string(name)]],
                                             "spec": ["containers": [["name": "c", "image": .string(image)]]]]]]
        if let strategy { d[path: ["spec", "strategy"]] = strategy }
        return d
    }

    func readyActive(_ c: TestCluster) async throws -> [JSON] {
        try await c.pods().filter { PodHelpers.isActive($0) && PodHelpers.isReady($0) }
    }

    func image(_ p: JSON) -> String? { p[path: ["spec", "containers"]]?.array?.first?["image"]?.string }

    func testRolloutKeepsAvailabilityAndCompletes() async throws {
        let c = try await TestCluster([ReplicaSetController(), DeploymentController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.deployments, namespace: "default", deployment("web", replicas: 4, image: "img:1"))
        try await c.eventually("4 pods") { try await c.pods().filter(PodHelpers.isActive).count == 4 }
        try await c.markPodsRunning()
        try await c.eventually("available") {
            try await c.client.get(Self.deployments, namespace: "default", name: "web")[path: ["status", "availableReplicas"]]?.int == 4
        }
        _ = try await c.client.mergePatch(Self.deployments, namespace: "default", name: "web",
                                          ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "img:2"]]]]]])
        // maxUnavailable 25% of 4 = 1: never fewer than 3 ready pods while rolling.
        var minReady = Int.max
        try await c.eventually("rolled out", timeout: .seconds(20)) {
            try await c.markPodsRunning()
            let ready = try await self.readyActive(c)
            minReady = min(minReady, ready.count)
            let d = try await c.client.get(Self.deployments, namespace: "default", name: "web")
            let s = d["status"] ?? [:]
            return s["updatedReplicas"]?.int == 4 && s["replicas"]?.int == 4 && s["availableReplicas"]?.int == 4
                && s["observedGeneration"] == d[path: ["metadata", "generation"]] && ready.allSatisfy { self.image($0) == "img:2" } && ready.count == 4
        }
        XCTAssertGreaterThanOrEqual(minReady, 3)
        let sets = try await c.client.list(Self.replicaSets, namespace: "default").items
        XCTAssertEqual(sets.count, 2)
        let byRevision = Dictionary(uniqueKeysWithValues: sets.map { (DeploymentController.revision($0) ?? 0, $0) })
        XCTAssertEqual(byRevision[1]?[path: ["spec", "replicas"]]?.int, 0)
        XCTAssertEqual(byRevision[2]?[path: ["spec", "replicas"]]?.int, 4)
        let d = try await c.client.get(Self.deployments, namespace: "default", name: "web")
        let progressing = (d[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "Progressing" }
        XCTAssertEqual(progressing?["reason"]?.string, "NewReplicaSetAvailable")

        // Undo: the old template comes back and reuses revision 1's set as revision 3.
        _ = try await c.client.mergePatch(Self.deployments, namespace: "default", name: "web",
                                          ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "img:1"]]]]]])
        try await c.eventually("rolled back", timeout: .seconds(20)) {
            try await c.markPodsRunning()
            let ready = try await self.readyActive(c)
            return ready.count == 4 && ready.allSatisfy { self.image($0) == "img:1" }
        }
        let after = try await c.client.list(Self.replicaSets, namespace: "default").items
        XCTAssertEqual(after.count, 2, "the old ReplicaSet is reused, not duplicated")
        XCTAssertEqual(after.compactMap(DeploymentController.revision).sorted(), [2, 3])
    }

    func testPausedDeploymentDoesNotRollButScales() async throws {
        let c = try await TestCluster([ReplicaSetController(), DeploymentController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.deployments, namespace: "default", deployment("p", replicas: 2, image: "img:1"))
        try await c.eventually("2 pods") { try await c.pods().filter(PodHelpers.isActive).count == 2 }
        _ = try await c.client.mergePatch(Self.deployments, namespace: "default", name: "p",
                                          ["spec": ["paused": true, "replicas": 3, "template": ["spec": ["containers": [["name": "c", "image": "img:2"]]]]]])
        try await c.eventually("scaled while paused") { try await c.pods().filter(PodHelpers.isActive).count == 3 }
        try await Task.sleep(for: .milliseconds(300))
        let images = try await c.pods().filter(PodHelpers.isActive).compactMap(image)
        XCTAssertEqual(Set(images), ["img:1"], "no rollout while paused")
        _ = try await c.client.mergePatch(Self.deployments, namespace: "default", name: "p", ["spec": ["paused": false]])
        try await c.eventually("resumed rollout", timeout: .seconds(20)) {
            try await c.markPodsRunning()
            let ready = try await self.readyActive(c)
            return ready.count == 3 && ready.allSatisfy { self.image($0) == "img:2" }
        }
    }

    func testRecreateNeverMixesVersions() async throws {
        let c = try await TestCluster([ReplicaSetController(), DeploymentController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.deployments, namespace: "default", deployment("r", replicas: 2, image: "img:1", strategy: ["type": "Recreate"]))
        try await c.eventually("2 pods") { try await c.pods().filter(PodHelpers.isActive).count == 2 }
        try await c.markPodsRunning()
        _ = try await c.client.mergePatch(Self.deployments, namespace: "default", name: "r",
                                          ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "img:2"]]]]]])
        try await c.eventually("recreated", timeout: .seconds(20)) {
            let all = try await c.pods()
            // Old pods are "deleted" by this test's node: finish their deletion.
            for p in all where PodHelpers.isBeingDeleted(p) {
                try? await c.client.delete(BuiltinResources.pods, namespace: "default", name: p[path: ["metadata", "name"]]?.string ?? "", gracePeriodSeconds: 0)
            }
            let active = try await c.pods().filter(PodHelpers.isActive)
            XCTAssertFalse(Set(active.compactMap(self.image)).count > 1, "old and new pods at once")
            return active.count == 2 && active.allSatisfy { self.image($0) == "img:2" }
        }
    }

    func testSurgeAndUnavailableMath() {
        let d: JSON = ["spec": ["replicas": 10, "strategy": ["rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]]]
        XCTAssertTrue(DeploymentMath.surgeAndUnavailable(d) == (3, 2))
        let zero: JSON = ["spec": ["replicas": 3, "strategy": ["rollingUpdate": ["maxSurge": 0, "maxUnavailable": 0]]]]
        XCTAssertTrue(DeploymentMath.surgeAndUnavailable(zero) == (0, 1))
        let a: JSON = ["spec": ["containers": [["name": "c", "image": "x"]]], "metadata": ["labels": ["a": "b"]]]
        let b: JSON = ["metadata": ["labels": ["a": "b"]], "spec": ["containers": [["image": "x", "name": "c"]]]]
        XCTAssertEqual(DeploymentMath.templateHash(a), DeploymentMath.templateHash(b), "key order does not change the hash")
        XCTAssertNotEqual(DeploymentMath.templateHash(a), DeploymentMath.templateHash(a, collisionCount: 1))
    }
}
