import XCTest
import EdgeAPI
@testable import EdgeControllers

final class GarbageCollectorTests: XCTestCase {
    static let deployments = BuiltinResources.deployments
    static let replicaSets = BuiltinResources.replicaSets

    func setUpChain(_ c: TestCluster, _ name: String) async throws {
        let d: JSON = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
                       "spec": ["replicas": 2, "selector": ["matchLabels": ["app": .string(name)]],
                                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "c", "image": "i"]]]]]]
        _ = try await c.client.create(Self.deployments, namespace: "default", d)
        try await c.eventually("chain") { try await c.pods().count == 2 }
    }

    func testBackgroundDeletesTheWholeChain() async throws {
        let c = try await TestCluster([ReplicaSetController(), DeploymentController(), GarbageCollector()])
        c.start()
        defer { c.stop() }
        try await setUpChain(c, "bg")
        try await c.client.delete(Self.deployments, namespace: "default", name: "bg", propagationPolicy: "Background")
        try await c.eventually("replicasets and pods gone") {
            let rs = try await c.client.list(Self.replicaSets, namespace: "default").items
            let pods = try await c.pods()
            return rs.isEmpty && pods.isEmpty
        }
    }

    func testOrphanKeepsDependentsWithoutTheOwnerReference() async throws {
        let c = try await TestCluster([ReplicaSetController(), DeploymentController(), GarbageCollector()])
        c.start()
        defer { c.stop() }
        try await setUpChain(c, "or")
        try await c.client.delete(Self.deployments, namespace: "default", name: "or", propagationPolicy: "Orphan")
        try await c.eventually("deployment gone") { try await c.client.getIfExists(Self.deployments, namespace: "default", name: "or") == nil }
        try await c.eventually("orphaned replicaset") {
            let rs = try await c.client.list(Self.replicaSets, namespace: "default").items
            return rs.count == 1 && rs[0][path: ["metadata", "ownerReferences"]] == nil
        }
        try await Task.sleep(for: .milliseconds(300))
        let pods = try await c.pods()
        XCTAssertEqual(pods.count, 2, "pods stay (they are owned by the surviving ReplicaSet)")
    }

    func testForegroundDeletesDependentsBeforeTheOwner() async throws {
        let c = try await TestCluster([ReplicaSetController(), DeploymentController(), GarbageCollector()])
        c.start()
        defer { c.stop() }
        try await setUpChain(c, "fg")
        try await c.client.delete(Self.deployments, namespace: "default", name: "fg", propagationPolicy: "Foreground")
        let d = try await c.client.getIfExists(Self.deployments, namespace: "default", name: "fg")
        XCTAssertNotNil(d?[path: ["metadata", "deletionTimestamp"]], "the owner waits while dependents go")
        try await c.eventually("everything gone, owner last") {
            let gone = try await c.client.getIfExists(Self.deployments, namespace: "default", name: "fg") == nil
            if gone {
                let pods = try await c.pods()
                let sets = try await c.client.list(Self.replicaSets, namespace: "default").items
                XCTAssertTrue(pods.isEmpty)
                XCTAssertTrue(sets.isEmpty)
            }
            return gone
        }
    }

    /// The collector reads metadata only, and only of the objects it acts on:
    /// ConfigMaps (which no other controller reads) without owners are not cached
    /// at all, owned ones as PartialObjectMetadata, and an owned ConfigMap still
    /// goes when its owner (not cached) is deleted.
    func testCachesOnlyTheMetadataOfObjectsWithOwners() async throws {
        let configMaps = BuiltinResources.configMaps
        let c = try await TestCluster([GarbageCollector()])
        c.start()
        defer { c.stop() }
        let owner = try await c.client.create(configMaps, namespace: "default",
                                              ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owner"], "data": ["big": "payload"]])
        let ref: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner[path: ["metadata", "uid"]]!]
        _ = try await c.client.create(configMaps, namespace: "default",
                                      ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "owned", "ownerReferences": [ref]],
                                       "data": ["big": "payload"]])
        let informer = c.manager.context.informers.metadataInformer(configMaps, keeping: GarbageCollector.actsOn)
        XCTAssertEqual(informer.mode, .metadata)
        try await c.eventually("owned config map cached") { informer.get("default/owned") != nil }
        let cached = informer.get("default/owned")!
        XCTAssertEqual(cached["kind"]?.string, "PartialObjectMetadata")
        XCTAssertNil(cached["data"], "metadata only")
        XCTAssertNil(informer.get("default/owner"), "an object without owners is not cached")
        XCTAssertEqual(informer.count, 1)

        try await c.client.delete(configMaps, namespace: "default", name: "owner")
        try await c.eventually("dependent collected") {
            try await c.client.getIfExists(configMaps, namespace: "default", name: "owned") == nil
        }
    }
}
