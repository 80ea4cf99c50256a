import XCTest
import EdgeAPI
@testable import EdgeControllers

final class StatefulSetControllerTests: XCTestCase {
    static let sets = TestCluster.r("statefulsets", "apps")
    static let pods = TestCluster.r("pods")

    func statefulSet(_ name: String, replicas: Int64, policy: String = "OrderedReady", image: String = "v1", partition: Int64 = 0) -> JSON {
        ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": .string(name)],
         "spec": ["replicas": .int(replicas), "serviceName": "db", "podManagementPolicy": .string(policy),
                  "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": .int(partition)]],
                  "selector": ["matchLabels": ["app": .string(name)]],
                  "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "c", "image": .string(image)]]]]]]
    }

    func names(_ c: TestCluster, live: Bool = true) async throws -> [String] {
        try await c.pods().filter { !live || !PodHelpers.isBeingDeleted($0) }.compactMap { $0[path: ["metadata", "name"]]?.string }.sorted()
    }

    /// The node's part for one pod: bound, Running and Ready.
    func markReady(_ c: TestCluster, _ name: String) async throws {
        var p = try await c.client.get(Self.pods, namespace: "default", name: name)
        if p[path: ["spec", "nodeName"]] == nil {
            p[path: ["spec", "nodeName"]] = "n1"
            p = try await c.client.update(Self.pods, p)
        }
        p["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]
        _ = try await c.client.updateStatus(Self.pods, p)
    }

    /// The node's part for deletions: pods marked for deletion go away.
    func finishDeletions(_ c: TestCluster) async throws {
        for p in try await c.pods() where PodHelpers.isBeingDeleted(p) {
            _ = try? await c.client.delete(Self.pods, namespace: "default", name: p[path: ["metadata", "name"]]!.string!, gracePeriodSeconds: 0)
        }
    }

    func testOrderedStartStableIdentityAndOrderedScaleDown() async throws {
        let c = try await TestCluster([StatefulSetController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("db", replicas: 3))
        try await c.eventually("db-0") { try await self.names(c) == ["db-0"] }
        try await Task.sleep(for: .milliseconds(200))
        let onlyFirst = try await names(c)
        XCTAssertEqual(onlyFirst, ["db-0"], "db-1 waits for db-0 to be Running and Ready")
        let p0 = try await c.client.get(Self.pods, namespace: "default", name: "db-0")
        XCTAssertEqual(p0[path: ["spec", "hostname"]]?.string, "db-0")
        XCTAssertEqual(p0[path: ["spec", "subdomain"]]?.string, "db")
        XCTAssertEqual(p0[path: ["metadata", "labels", "statefulset.kubernetes.io/pod-name"]]?.string, "db-0")
        XCTAssertEqual(p0[path: ["metadata", "labels", "apps.kubernetes.io/pod-index"]]?.string, "0")
        XCTAssertEqual(PodHelpers.controllerRef(p0)?["kind"]?.string, "StatefulSet")
        try await markReady(c, "db-0")
        try await c.eventually("db-1") { try await self.names(c) == ["db-0", "db-1"] }
        try await markReady(c, "db-1")
        try await c.eventually("db-2") { try await self.names(c) == ["db-0", "db-1", "db-2"] }
        try await markReady(c, "db-2")
        try await c.eventually("status") {
            let s = try await c.client.get(Self.sets, namespace: "default", name: "db")["status"]
            return s?["readyReplicas"]?.int == 3 && s?["replicas"]?.int == 3 && s?["updatedReplicas"]?.int == 3
                && s?["currentRevision"] == s?["updateRevision"]
        }

        // A deleted pod returns under the same name.
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "db-1", gracePeriodSeconds: 0)
        try await c.eventually("db-1 back") { try await self.names(c).contains("db-1") }
        try await markReady(c, "db-1")

        _ = try await c.client.mergePatch(Self.sets, namespace: "default", name: "db", ["spec": ["replicas": 1]])
        try await c.eventually("db-2 going") { try await !self.names(c).contains("db-2") }
        let afterFirst = try await names(c)
        XCTAssertEqual(afterFirst, ["db-0", "db-1"], "highest ordinal first, one at a time")
        try await finishDeletions(c)
        try await c.eventually("db-1 going") { try await self.names(c) == ["db-0"] }
    }

    func testParallelCreatesAllAtOnce() async throws {
        let c = try await TestCluster([StatefulSetController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("cache", replicas: 4, policy: "Parallel"))
        try await c.eventually("all four") { try await self.names(c) == ["cache-0", "cache-1", "cache-2", "cache-3"] }
    }

    func testRollingUpdateFromHighestOrdinalRespectingPartition() async throws {
        let c = try await TestCluster([StatefulSetController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("db", replicas: 3, policy: "Parallel", partition: 1))
        try await c.eventually("three") { try await self.names(c).count == 3 }
        for n in ["db-0", "db-1", "db-2"] { try await markReady(c, n) }
        _ = try await c.client.mergePatch(Self.sets, namespace: "default", name: "db",
                                          ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "v2"]]]]]])
        func image(_ n: String) async throws -> String? {
            try await c.client.getIfExists(Self.pods, namespace: "default", name: n)?[path: ["spec", "containers"]]?.array?.first?["image"]?.string
        }
        try await c.eventually("db-2 replaced first") {
            try await self.finishDeletions(c)
            return try await image("db-2") == "v2"
        }
        let oneStillOld = try await image("db-1")
        XCTAssertEqual(oneStillOld, "v1", "db-1 waits until the new db-2 is ready")
        try await markReady(c, "db-2")
        try await c.eventually("db-1 replaced") {
            try await self.finishDeletions(c)
            return try await image("db-1") == "v2"
        }
        try await markReady(c, "db-1")
        try await Task.sleep(for: .milliseconds(300))
        try await finishDeletions(c)
        let below = try await image("db-0")
        XCTAssertEqual(below, "v1", "ordinals below the partition keep the old template")
        try await c.eventually("status counts") {
            let s = try await c.client.get(Self.sets, namespace: "default", name: "db")["status"]
            return s?["updatedReplicas"]?.int == 2 && s?["currentRevision"] != s?["updateRevision"]
        }
    }
}
