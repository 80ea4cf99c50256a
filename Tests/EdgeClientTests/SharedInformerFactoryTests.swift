import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeInProcess
@testable import EdgeClient

/// The process-wide informers: one cache per kind, indexes, metadata-only
/// caches, cache filters, and handlers that join a running informer.
final class SharedInformerFactoryTests: XCTestCase {
    static let pods = BuiltinResources.pods
    static let configMaps = BuiltinResources.configMaps

    func pod(_ name: String, ns: String = "default", node: String? = nil, owner: String? = nil) -> JSON {
        var meta: JSON = ["name": .string(name)]
        if let owner {
            meta["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": .string(owner), "controller": true]]
        }
        var spec: JSON = ["containers": [["name": "c", "image": "busybox"]]]
        if let node { spec["nodeName"] = .string(node) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec]
    }

    func cm(_ name: String, owner: String? = nil) -> JSON {
        var meta: JSON = ["name": .string(name)]
        if let owner { meta["ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "o", "uid": .string(owner)]] }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": ["v": "a value no metadata reader needs"]]
    }

    func testOneInformerPerKindWhoeverAsks() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let a = f.informer(Self.pods)
        let b = f.informer(BuiltinResources.pods)
        let c = f.metadataInformer(Self.pods)
        XCTAssertTrue(a === b && b === c, "one pod cache for every reader")
        XCTAssertEqual(a.mode, .full, "a metadata reader shares the whole-object cache")
        _ = f.informer(Self.pods, namespace: "kube-system")
        XCTAssertEqual(f.count, 2, "a namespaced informer is its own cache")
    }

    func testIndexesFollowAddsUpdatesAndDeletes() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let pods = f.informer(Self.pods)
        pods.addIndex(.nodeName)
        pods.addIndex(.controllerUID)
        let namespaces = BuiltinResources.namespaces
        _ = try await client.create(namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
        _ = try await client.create(Self.pods, namespace: "default", pod("a", node: "n1", owner: "u1"))
        await f.startAndSync()
        defer { f.stop() }
        XCTAssertEqual(pods.byIndex("nodeName", "n1").map(Informer.key), ["default/a"], "indexed from the first list")
        _ = try await client.create(Self.pods, namespace: "default", pod("b", node: "n1", owner: "u2"))
        _ = try await client.create(Self.pods, namespace: "other", pod("c", owner: "u1"))
        try await eventually("b and c") { pods.count == 3 }
        XCTAssertEqual(Set(pods.byIndex("nodeName", "n1").map(Informer.key)), ["default/a", "default/b"])
        XCTAssertEqual(Set(pods.byIndex("controllerUID", "u1").map(Informer.key)), ["default/a", "other/c"])
        XCTAssertEqual(Set(pods.byIndex(.namespace, "other").map(Informer.key)), ["other/c"], "an index added late covers the cache")
        XCTAssertTrue(pods.byIndex("nodeName", "").isEmpty, "unbound pods are not filed under a node")

        try await client.delete(Self.pods, namespace: "default", name: "a", gracePeriodSeconds: 0)
        try await eventually("a gone") { pods.get("default/a") == nil }
        XCTAssertEqual(pods.byIndex("nodeName", "n1").map(Informer.key), ["default/b"])
        XCTAssertEqual(pods.byIndex("controllerUID", "u1").map(Informer.key), ["other/c"])
        XCTAssertEqual(pods.indexedKeys("controllerUID", "u2"), ["default/b"])
    }

    func testMetadataInformerHoldsPartialObjectMetadata() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let cms = f.metadataInformer(Self.configMaps)
        _ = try await client.create(Self.configMaps, namespace: "default", cm("listed"))
        let seen = Recorder()
        cms.addHandler(.any { seen.add(Informer.key($0)) })
        await f.startAndSync()
        defer { f.stop() }
        _ = try await client.create(Self.configMaps, namespace: "default", cm("watched"))
        try await eventually("watched") { cms.get("default/watched") != nil }
        for key in ["default/listed", "default/watched"] {
            let o = cms.get(key)!
            XCTAssertEqual(o["kind"]?.string, "PartialObjectMetadata")
            XCTAssertEqual(o["apiVersion"]?.string, "meta.k8s.io/v1")
            XCTAssertNil(o["data"])
            XCTAssertNotNil(o[path: ["metadata", "uid"]]?.string)
        }
        XCTAssertTrue(seen.all.contains("default/listed") && seen.all.contains("default/watched"))
    }

    /// A resource no longer served (its CRD deleted) loses every cache of it; others stay, and asking again starts afresh.
    func testRemoveForgetsEveryInformerOfAResource() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let cms = f.metadataInformer(Self.configMaps)
        _ = f.informer(Self.configMaps, namespace: "kube-system")
        let pods = f.informer(Self.pods)
        await f.startAndSync()
        defer { f.stop() }
        XCTAssertEqual(f.count, 3)
        f.remove(Self.configMaps)
        XCTAssertEqual(f.count, 1, "both config map caches gone")
        XCTAssertTrue(f.informer(Self.pods) === pods, "other kinds untouched")
        let again = f.metadataInformer(Self.configMaps)
        XCTAssertFalse(again === cms, "a new cache when the resource comes back")
        XCTAssertEqual(f.count, 2)
    }

    func testAskingForWholeObjectsTurnsARunningMetadataInformerFull() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let cms = f.metadataInformer(Self.configMaps)
        _ = try await client.create(Self.configMaps, namespace: "default", cm("x"))
        await f.startAndSync()
        defer { f.stop() }
        XCTAssertNil(cms.get("default/x")?["data"])
        let full = f.informer(Self.configMaps)
        XCTAssertTrue(full === cms)
        try await eventually("whole objects after the relist") { cms.get("default/x")?["data"] != nil }
    }

    func testFilterKeepsOnlySelectedObjectsButHandlersHearOfAll() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let owned = InformerFilter(name: "owned") { $0[path: ["metadata", "ownerReferences"]] != nil }
        let cms = f.metadataInformer(Self.configMaps, keeping: owned)
        cms.addIndex(.ownerUID)
        let seen = Recorder()
        cms.addHandler(Informer.Handler(added: { seen.add("add " + Informer.key($0)) }, updated: { _, n in seen.add("update " + Informer.key(n)) },
                                        deleted: { seen.add("delete " + Informer.key($0)) }))
        _ = try await client.create(Self.configMaps, namespace: "default", cm("plain"))
        await f.startAndSync()
        defer { f.stop() }
        _ = try await client.create(Self.configMaps, namespace: "default", cm("child", owner: "u1"))
        try await eventually("child cached") { cms.get("default/child") != nil }
        XCTAssertNil(cms.get("default/plain"))
        XCTAssertEqual(cms.count, 1)
        XCTAssertEqual(cms.byIndex("ownerUID", "u1").map(Informer.key), ["default/child"])

        // Losing its owner reference takes an object out of the cache (and its index).
        _ = try await client.mergePatch(Self.configMaps, namespace: "default", name: "child", ["metadata": ["ownerReferences": nil]])
        try await eventually("child dropped") { cms.get("default/child") == nil }
        XCTAssertTrue(cms.byIndex("ownerUID", "u1").isEmpty)
        try await client.delete(Self.configMaps, namespace: "default", name: "plain")
        try await eventually("every change heard") { seen.all.contains("delete default/plain") }
        XCTAssertEqual(seen.all, ["add default/plain", "add default/child", "update default/child", "delete default/plain"])

        // The same filter asked again changes nothing; a reader wanting every object widens the cache.
        XCTAssertFalse(cms.widen(to: .metadata, keeping: owned))
        _ = f.metadataInformer(Self.configMaps)
        _ = try await client.create(Self.configMaps, namespace: "default", cm("later"))
        try await eventually("every object cached") { cms.get("default/later") != nil && cms.get("default/child") != nil }
    }

    func testHandlerAddedToARunningInformerHearsOfCachedObjects() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let pods = f.informer(Self.pods)
        _ = try await client.create(Self.pods, namespace: "default", pod("early"))
        await f.startAndSync()
        defer { f.stop() }
        let seen = Recorder()
        pods.addHandler(.any { seen.add(Informer.key($0)) })
        XCTAssertEqual(seen.all, ["default/early"])
        _ = try await client.create(Self.pods, namespace: "default", pod("late"))
        try await eventually("late") { seen.all.contains("default/late") }
    }

    func testWaitForSyncReturnsWhenCancelled() async throws {
        let client = try await LocalCluster().client
        let never = Informer(client: client, resource: Self.pods)  // never run
        let waiter = Task { await never.waitForSync() }
        waiter.cancel()
        await waiter.value
        XCTAssertFalse(never.hasSynced)
    }

    /// Cached objects made from one template share their repeated parts.
    func testCachedObjectsShareRepeatedParts() async throws {
        let client = try await LocalCluster().client
        let f = SharedInformerFactory(client: client)
        let pods = f.informer(Self.pods)
        for i in 0..<3 { _ = try await client.create(Self.pods, namespace: "default", pod("p\(i)", owner: "u")) }
        await f.startAndSync()
        defer { f.stop() }
        let a = pods.get("default/p0")!, b = pods.get("default/p2")!
        XCTAssertTrue(JSON.sameStorage(a[path: ["spec", "containers"]]!.array!, b[path: ["spec", "containers"]]!.array!))
        XCTAssertTrue(JSON.sameStorage(a[path: ["metadata", "ownerReferences"]]!.array!, b[path: ["metadata", "ownerReferences"]]!.array!))
    }
}
