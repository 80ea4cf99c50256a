import XCTest
import EdgeAPI
@testable import EdgeControllers

/// core/v1 ReplicationControllers run on the ReplicaSet controller's logic: a map
/// selector (defaulted from the template's labels), pods owned by the RC, status
/// counts, orphans adopted, and ReplicaSets' pods left alone.
final class ReplicationControllerTests: XCTestCase {
    func rc(_ name: String, replicas: Int64) -> JSON {
        ["apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": .string(name)],
         "spec": ["replicas": .int(replicas),
                  "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "c", "image": "busybox"]]]]]]
    }

    func testRunsScalesAndReportsAReplicationControllersPods() async throws {
        let c = try await TestCluster([ReplicaSetController(kind: .replicationControllers), ReplicaSetController()])
        c.start()
        defer { c.stop() }
        let rcs = BuiltinResources.replicationControllers
        let created = try await c.client.create(rcs, namespace: "default", rc("web", replicas: 3))
        XCTAssertEqual(created[path: ["spec", "selector"]], ["app": "web"], "the selector defaults to the template's labels")
        try await c.eventually("3 pods") { try await c.pods().filter(PodHelpers.isActive).count == 3 }
        let pods = try await c.pods()
        XCTAssertTrue(pods.allSatisfy {
            PodHelpers.controllerRef($0)?["kind"]?.string == "ReplicationController" && PodHelpers.controllerRef($0)?["apiVersion"]?.string == "v1"
        })
        try await c.markPodsRunning()
        try await c.eventually("ready status") {
            let s = try await c.client.get(rcs, namespace: "default", name: "web")["status"]
            return s?["readyReplicas"]?.int == 3 && s?["replicas"]?.int == 3
        }
        _ = try await c.client.mergePatch(rcs, namespace: "default", name: "web", ["spec": ["replicas": 1]])
        try await c.eventually("scaled down to 1") { try await c.pods().filter(PodHelpers.isActive).count == 1 }
    }

    func testAdoptsOrphansMatchingItsMapSelector() async throws {
        let c = try await TestCluster([ReplicaSetController(kind: .replicationControllers)])
        c.start()
        defer { c.stop() }
        let orphan: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "stray", "labels": ["app": "api"]],
                            "spec": ["containers": [["name": "c", "image": "busybox"]]]]
        _ = try await c.client.create(BuiltinResources.pods, namespace: "default", orphan)
        _ = try await c.client.create(BuiltinResources.replicationControllers, namespace: "default", rc("api", replicas: 2))
        try await c.eventually("2 pods incl. the adopted orphan") {
            let ps = try await c.pods()
            return ps.count == 2 && ps.allSatisfy { PodHelpers.controllerRef($0)?["kind"]?.string == "ReplicationController" }
        }
    }
}
