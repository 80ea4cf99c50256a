import XCTest
import EdgeAPI
@testable import EdgeControllers

final class StatefulSetControllerTests: XCTestCase {
    static let sets = BuiltinResources.statefulSets
    static let pods = BuiltinResources.pods

    func statefulSet(_ name: String, replicas: Int64, policy: String = "OrderedReady", image: String = "v1",
                     strategy: String = "RollingUpdate", partition: Int64 = 0) -> JSON {
        var s: JSON = ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": .string(name)],
                       "spec": ["replicas": .int(replicas), "serviceName": "db", "podManagementPolicy": .string(policy),
                                "updateStrategy": ["type": .string(strategy)],
                                "selector": ["matchLabels": ["app": .string(name)]],
                                "template": ["metadata": ["labels": ["app": .string(name)]],
                                             "spec": ["containers": [["name": "c", "image": .string(image)]]]]]]
        if strategy == "RollingUpdate" { s[path: ["spec", "updateStrategy", "rollingUpdate", "partition"]] = .int(partition) }
        return s
    }

    func names(_ c: TestCluster, live: Bool = true) async throws -> [String] {
        try await c.pods().filter { !live || !PodHelpers.isBeingDeleted($0) }.compactMap { $0[path: ["metadata", "name"]]?.string }.sorted()
    }

    func image(_ c: TestCluster, _ n: String) async throws -> String? {
        try await c.client.getIfExists(Self.pods, namespace: "default", name: n)?[path: ["spec", "containers"]]?.array?.first?["image"]?.string
    }

    func status(_ c: TestCluster, _ name: String) async throws -> JSON {
        try await c.client.get(Self.sets, namespace: "default", name: name)["status"] ?? [:]
    }

    func setImage(_ c: TestCluster, _ name: String, _ image: String) async throws {
        _ = try await c.client.mergePatch(Self.sets, namespace: "default", name: name,
                                          ["spec": ["template": ["spec": ["containers": [["name": "c", "image": .string(image)]]]]]])
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

    func cluster() async throws -> TestCluster {
        let c = try await TestCluster([StatefulSetController()])
        c.start()
        return c
    }

    func testOrderedStartStableIdentityAndOrderedScaleDown() async throws {
        let c = try await cluster()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("db", replicas: 3))
        try await c.eventually("db-0") { try await self.names(c) == ["db-0"] }
        try await Task.sleep(for: .milliseconds(300))
        let onlyFirst = try await names(c)
        XCTAssertEqual(onlyFirst, ["db-0"], "db-1 waits for db-0 to be Running and Ready")
        let set = try await c.client.get(Self.sets, namespace: "default", name: "db")
        let p0 = try await c.client.get(Self.pods, namespace: "default", name: "db-0")
        XCTAssertEqual(p0[path: ["spec", "hostname"]]?.string, "db-0")
        XCTAssertEqual(p0[path: ["spec", "subdomain"]]?.string, "db")
        XCTAssertEqual(p0[path: ["metadata", "labels", "app"]]?.string, "db")
        XCTAssertEqual(p0[path: ["metadata", "labels", "statefulset.kubernetes.io/pod-name"]]?.string, "db-0")
        XCTAssertEqual(p0[path: ["metadata", "labels", "apps.kubernetes.io/pod-index"]]?.string, "0")
        XCTAssertEqual(p0[path: ["metadata", "labels", "controller-revision-hash"]], set[path: ["status", "updateRevision"]])
        let ref = PodHelpers.controllerRef(p0)
        XCTAssertEqual(ref?["kind"]?.string, "StatefulSet")
        XCTAssertEqual(ref?["uid"], set[path: ["metadata", "uid"]])
        XCTAssertEqual(ref?["blockOwnerDeletion"]?.bool, true)

        // Ready but not Running is not enough.
        var notRunning = p0
        notRunning["status"] = ["phase": "Pending", "conditions": [["type": "Ready", "status": "True"]]]
        _ = try await c.client.updateStatus(Self.pods, notRunning)
        try await Task.sleep(for: .milliseconds(300))
        let stillFirst = try await names(c)
        XCTAssertEqual(stillFirst, ["db-0"])

        try await markReady(c, "db-0")
        try await c.eventually("db-1") { try await self.names(c) == ["db-0", "db-1"] }
        try await Task.sleep(for: .milliseconds(200))
        let two = try await names(c)
        XCTAssertEqual(two, ["db-0", "db-1"], "db-2 waits for db-1")
        try await markReady(c, "db-1")
        try await c.eventually("db-2") { try await self.names(c) == ["db-0", "db-1", "db-2"] }
        try await markReady(c, "db-2")
        try await c.eventually("status") {
            let s = try await self.status(c, "db")
            return s["readyReplicas"]?.int == 3 && s["replicas"]?.int == 3 && s["updatedReplicas"]?.int == 3
        }
        let events = try await c.client.list(BuiltinResources.events, namespace: "default").items
        XCTAssertTrue(events.contains { $0["reason"]?.string == "SuccessfulCreate" && $0["message"]?.string == "create Pod db-1 in StatefulSet db successful" })

        // A deleted pod returns under the same name.
        let oldUID = try await c.client.get(Self.pods, namespace: "default", name: "db-1")[path: ["metadata", "uid"]]
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "db-1", gracePeriodSeconds: 0)
        try await c.eventually("db-1 back") {
            try await c.client.getIfExists(Self.pods, namespace: "default", name: "db-1")
                .map { $0[path: ["metadata", "uid"]] != oldUID } ?? false
        }
        try await markReady(c, "db-1")

        // Scale down: db-2 first, and db-1 only once db-2 is gone.
        _ = try await c.client.mergePatch(Self.sets, namespace: "default", name: "db", ["spec": ["replicas": 1]])
        try await c.eventually("db-2 going") { try await self.names(c) == ["db-0", "db-1"] }
        try await Task.sleep(for: .milliseconds(300))
        let afterFirst = try await names(c)
        XCTAssertEqual(afterFirst, ["db-0", "db-1"], "db-1 waits until db-2 is gone")
        try await finishDeletions(c)
        try await c.eventually("db-1 going") { try await self.names(c) == ["db-0"] }
        let later = try await c.client.list(BuiltinResources.events, namespace: "default").items
        XCTAssertTrue(later.contains { $0["reason"]?.string == "SuccessfulDelete" && $0["message"]?.string == "delete Pod db-2 in StatefulSet db successful" })
    }

    func testParallelCreatesAndRemovesAllAtOnce() async throws {
        let c = try await cluster()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("cache", replicas: 4, policy: "Parallel"))
        try await c.eventually("all four") { try await self.names(c) == ["cache-0", "cache-1", "cache-2", "cache-3"] }
        for n in ["cache-0", "cache-1", "cache-2", "cache-3"] { try await markReady(c, n) }
        _ = try await c.client.mergePatch(Self.sets, namespace: "default", name: "cache", ["spec": ["replicas": 1]])
        // Both condemned pods are marked for deletion without waiting for either to be gone.
        try await c.eventually("two going at once") { try await self.names(c) == ["cache-0"] }
    }

    func testFailedPodIsRecreatedWithTheSameName() async throws {
        let c = try await cluster()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("q", replicas: 1))
        try await c.eventually("q-0") { try await self.names(c) == ["q-0"] }
        try await markReady(c, "q-0")
        var p = try await c.client.get(Self.pods, namespace: "default", name: "q-0")
        let oldUID = p[path: ["metadata", "uid"]]
        p["status"] = ["phase": "Failed"]
        _ = try await c.client.updateStatus(Self.pods, p)
        try await c.eventually("q-0 recreated") {
            guard let n = try await c.client.getIfExists(Self.pods, namespace: "default", name: "q-0") else { return false }
            return n[path: ["metadata", "uid"]] != oldUID && n[path: ["status", "phase"]]?.string != "Failed"
        }
    }

    func testRollingUpdateFromHighestOrdinalRespectingPartition() async throws {
        let c = try await cluster()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("db", replicas: 3, partition: 1))
        for n in ["db-0", "db-1", "db-2"] {
            try await c.eventually(n) { try await self.names(c).contains(n) }
            try await markReady(c, n)
        }
        let before = try await status(c, "db")
        try await setImage(c, "db", "v2")
        try await c.eventually("db-2 replaced first") {
            try await self.finishDeletions(c)
            return try await self.image(c, "db-2") == "v2"
        }
        let oneStillOld = try await image(c, "db-1")
        XCTAssertEqual(oneStillOld, "v1", "db-1 waits until the new db-2 is ready")
        try await Task.sleep(for: .milliseconds(300))
        let stillOld = try await image(c, "db-1")
        XCTAssertEqual(stillOld, "v1")
        try await markReady(c, "db-2")
        try await c.eventually("db-1 replaced") {
            try await self.finishDeletions(c)
            return try await self.image(c, "db-1") == "v2"
        }
        try await markReady(c, "db-1")
        try await Task.sleep(for: .milliseconds(300))
        try await finishDeletions(c)
        let below = try await image(c, "db-0")
        XCTAssertEqual(below, "v1", "ordinals below the partition keep the old template")
        try await c.eventually("partial status") {
            let s = try await self.status(c, "db")
            return s["updatedReplicas"]?.int == 2 && s["currentReplicas"]?.int == 1 && s["readyReplicas"]?.int == 3
                && s["currentRevision"] == before["currentRevision"] && s["updateRevision"] != before["updateRevision"]
        }

        // Lowering the partition finishes the rollout; the new revision becomes current.
        _ = try await c.client.mergePatch(Self.sets, namespace: "default", name: "db",
                                          ["spec": ["updateStrategy": ["rollingUpdate": ["partition": 0]]]])
        try await c.eventually("db-0 replaced") {
            try await self.finishDeletions(c)
            return try await self.image(c, "db-0") == "v2"
        }
        try await markReady(c, "db-0")
        try await c.eventually("rollout complete") {
            let s = try await self.status(c, "db")
            return s["currentRevision"] == s["updateRevision"] && s["currentReplicas"]?.int == 3 && s["updatedReplicas"]?.int == 3
        }
    }

    func testOnDeleteReplacesOnlyPodsTheUserDeletes() async throws {
        let c = try await cluster()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("od", replicas: 2, policy: "Parallel", strategy: "OnDelete"))
        try await c.eventually("two") { try await self.names(c) == ["od-0", "od-1"] }
        for n in ["od-0", "od-1"] { try await markReady(c, n) }
        try await setImage(c, "od", "v2")
        try await c.eventually("updateRevision moves") {
            let s = try await self.status(c, "od")
            return s["updateRevision"] != s["currentRevision"] && s["updatedReplicas"]?.int == 0
        }
        try await Task.sleep(for: .milliseconds(300))
        let untouched = try await [image(c, "od-0"), image(c, "od-1")]
        XCTAssertEqual(untouched, ["v1", "v1"], "OnDelete never replaces pods by itself")
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "od-0", gracePeriodSeconds: 0)
        try await c.eventually("od-0 recreated with v2") { try await self.image(c, "od-0") == "v2" }
        let other = try await image(c, "od-1")
        XCTAssertEqual(other, "v1")
    }

    func testStatusFieldsAndNoRedundantWrites() async throws {
        let c = try await cluster()
        defer { c.stop() }
        _ = try await c.client.create(Self.sets, namespace: "default", statefulSet("st", replicas: 2, policy: "Parallel"))
        try await c.eventually("two") { try await self.names(c).count == 2 }
        for n in ["st-0", "st-1"] { try await markReady(c, n) }
        try await c.eventually("settled status") {
            let s = try await self.status(c, "st")
            return s["readyReplicas"]?.int == 2 && s["availableReplicas"]?.int == 2
        }
        let set = try await c.client.get(Self.sets, namespace: "default", name: "st")
        let s = set["status"] ?? [:]
        XCTAssertEqual(s["replicas"]?.int, 2)
        XCTAssertEqual(s["currentReplicas"]?.int, 2)
        XCTAssertEqual(s["updatedReplicas"]?.int, 2)
        XCTAssertEqual(s["collisionCount"]?.int, 0)
        XCTAssertEqual(s["observedGeneration"], set[path: ["metadata", "generation"]])
        XCTAssertEqual(s["currentRevision"], s["updateRevision"])
        XCTAssertTrue(s["updateRevision"]?.string?.hasPrefix("st-") ?? false)
        try await Task.sleep(for: .milliseconds(400))
        let again = try await c.client.get(Self.sets, namespace: "default", name: "st")
        XCTAssertEqual(again[path: ["metadata", "resourceVersion"]], set[path: ["metadata", "resourceVersion"]], "no write when nothing changed")
    }
}
