import XCTest
import EdgeAPI
@testable import EdgeControllers

final class ReplicaSetControllerTests: XCTestCase {
    func replicaSet(_ name: String, replicas: Int64) -> JSON {
        ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": .string(name)],
         "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                  "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "c", "image": "busybox"]]]]]]
    }

    func testCreatesScalesAndReportsStatus() async throws {
        let c = try await TestCluster([ReplicaSetController()])
        c.start()
        defer { c.stop() }
        let rs = BuiltinResources.replicaSets
        _ = try await c.client.create(rs, namespace: "default", replicaSet("web", replicas: 5))
        try await c.eventually("5 pods") { try await c.pods().filter(PodHelpers.isActive).count == 5 }
        let pods = try await c.pods()
        XCTAssertTrue(pods.allSatisfy { ($0[path: ["metadata", "name"]]?.string ?? "").hasPrefix("web-") })
        XCTAssertTrue(pods.allSatisfy { PodHelpers.controllerRef($0)?["kind"]?.string == "ReplicaSet" })
        try await c.markPodsRunning()
        try await c.eventually("ready status") {
            let s = try await c.client.get(rs, namespace: "default", name: "web")["status"]
            return s?["readyReplicas"]?.int == 5 && s?["availableReplicas"]?.int == 5 && s?["replicas"]?.int == 5
        }
        _ = try await c.client.mergePatch(rs, namespace: "default", name: "web", ["spec": ["replicas": 2]])
        try await c.eventually("scaled down to 2") { try await c.pods().filter(PodHelpers.isActive).count == 2 }
        // Stays at 2: no over- or under-shoot once settled.
        try await Task.sleep(for: .milliseconds(300))
        let count = try await c.pods().filter(PodHelpers.isActive).count
        XCTAssertEqual(count, 2)
    }

    func testReplacesDeletedPodAndAdoptsOrphans() async throws {
        let c = try await TestCluster([ReplicaSetController()])
        c.start()
        defer { c.stop() }
        let rs = BuiltinResources.replicaSets
        let orphan: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "stray", "labels": ["app": "api"]],
                            "spec": ["containers": [["name": "c", "image": "busybox"]]]]
        _ = try await c.client.create(BuiltinResources.pods, namespace: "default", orphan)
        _ = try await c.client.create(rs, namespace: "default", replicaSet("api", replicas: 2))
        try await c.eventually("2 pods incl. adopted orphan") {
            let ps = try await c.pods()
            return ps.count == 2 && ps.allSatisfy { PodHelpers.controllerRef($0) != nil }
        }
        let victim = try await c.pods()[0][path: ["metadata", "name"]]?.string ?? ""
        try await c.client.delete(BuiltinResources.pods, namespace: "default", name: victim)
        try await c.eventually("replacement") {
            let ps = try await c.pods()
            return ps.count == 2 && !ps.contains { $0[path: ["metadata", "name"]]?.string == victim }
        }
    }

    func testScaleDownTakesFromTheCrowdedNode() async throws {
        let c = try await TestCluster([ReplicaSetController()])
        c.start()
        defer { c.stop() }
        let rs = BuiltinResources.replicaSets
        _ = try await c.client.create(rs, namespace: "default", replicaSet("web", replicas: 13))
        try await c.eventually("13 pods") { try await c.pods().filter(PodHelpers.isActive).count == 13 }
        // 5 on node-a, 4 on node-b, 4 on node-c.
        for (i, p) in try await c.pods().enumerated() {
            var bound = p
            bound[path: ["spec", "nodeName"]] = .string(i < 5 ? "node-a" : i < 9 ? "node-b" : "node-c")
            var st = try await c.client.update(BuiltinResources.pods, bound)
            st["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": .string(Timestamp.now().rfc3339)]]]
            _ = try await c.client.updateStatus(BuiltinResources.pods, st)
        }
        try await c.eventually("13 ready") { try await c.client.get(rs, namespace: "default", name: "web")[path: ["status", "readyReplicas"]]?.int == 13 }
        _ = try await c.client.mergePatch(rs, namespace: "default", name: "web", ["spec": ["replicas": 9]])
        try await c.eventually("scaled down to 9") { try await c.pods().filter(PodHelpers.isActive).count == 9 }
        var perNode: [String: Int] = [:]
        for p in try await c.pods() where PodHelpers.isActive(p) { perNode[p[path: ["spec", "nodeName"]]?.string ?? "", default: 0] += 1 }
        XCTAssertEqual(perNode, ["node-a": 1, "node-b": 4, "node-c": 4])
    }

    func testPureStatus() {
        let now = Timestamp.now()
        func pod(_ n: String, node: String?, phase: String, ready: Bool) -> JSON {
            var p: JSON = ["metadata": ["name": .string(n), "labels": ["app": "x"]], "spec": [:],
                           "status": ["phase": .string(phase), "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]]]]
            if let node { p[path: ["spec", "nodeName"]] = .string(node) }
            return p
        }
        let s = ReplicaSetController.status(replicaSet("x", replicas: 2), pods: [pod("a", node: "n", phase: "Running", ready: true)], now: now)
        XCTAssertEqual(s["replicas"]?.int, 1)
        XCTAssertEqual(s["readyReplicas"]?.int, 1)
    }
}
