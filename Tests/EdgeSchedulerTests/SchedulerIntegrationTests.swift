import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeAgent
import EdgeClient
import EdgeControllers
import EdgeInProcess
@testable import EdgeScheduler

/// Scheduler + ReplicaSet controller + hollow nodes against an in-process API server.
final class SchedulerIntegrationTests: XCTestCase {
    static let rs = BuiltinResources.replicaSets
    static let pods = BuiltinResources.pods

    func testReplicasSpreadOverHollowNodesAndRun() async throws {
        let cluster = try await LocalCluster()
        let client = cluster.client
        var cfg = HollowNodes.Config(count: 3)
        cfg.leaseRenewInterval = .seconds(1)
        let hollow = HollowNodes(client: client, config: cfg)
        let scheduler = Scheduler(client: client)
        let manager = ControllerManager(context: ControllerContext(client: client, informers: SharedInformers(client: client)),
                                        controllers: [ReplicaSetController()])
        let tasks: [Task<Void, Never>] = [Task { try? await hollow.run() }, Task { await scheduler.run() }, Task { await manager.run() }]
        defer { tasks.forEach { $0.cancel() } }

        let rs: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "web"],
                        "spec": ["replicas": 10, "selector": ["matchLabels": ["app": "web"]],
                                 "template": ["metadata": ["labels": ["app": "web"]],
                                              "spec": ["containers": [["name": "c", "image": "busybox",
                                                                       "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]]]]]]]]
        _ = try await client.create(Self.rs, namespace: "default", rs)
        try await eventually("10 running pods") {
            let ps = try await client.list(Self.pods, namespace: "default").items
            return ps.count == 10 && ps.allSatisfy { $0[path: ["status", "phase"]]?.string == "Running" }
        }
        let ps = try await client.list(Self.pods, namespace: "default").items
        var perNode: [String: Int] = [:]
        for p in ps { perNode[p[path: ["spec", "nodeName"]]?.string ?? "", default: 0] += 1 }
        XCTAssertEqual(perNode.count, 3, "replicas spread over every node: \(perNode)")
        XCTAssertTrue(perNode.values.allSatisfy { (3...4).contains($0) }, "evenly: \(perNode)")
        XCTAssertTrue(ps.allSatisfy { ($0[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "PodScheduled" && $0["status"]?.string == "True" } })
        try await eventually("rs status ready") {
            try await client.get(Self.rs, namespace: "default", name: "web")[path: ["status", "readyReplicas"]]?.int == 10
        }
    }

    func testUnschedulablePodGetsConditionAndEventThenRunsWhenANodeFits() async throws {
        let cluster = try await LocalCluster()
        let client = cluster.client
        var cfg = HollowNodes.Config(count: 2)
        cfg.memory = "1Gi"
        let small = HollowNodes(client: client, config: cfg)
        let scheduler = Scheduler(client: client)
        var tasks: [Task<Void, Never>] = [Task { try? await small.run() }, Task { await scheduler.run() }]
        defer { tasks.forEach { $0.cancel() } }
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "big"],
                         "spec": ["containers": [["name": "c", "image": "busybox", "resources": ["requests": ["memory": "4Gi"]]]]]]
        _ = try await client.create(Self.pods, namespace: "default", pod)
        try await eventually("Unschedulable condition") {
            let p = try await client.get(Self.pods, namespace: "default", name: "big")
            let c = (p[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "PodScheduled" }
            return c?["reason"]?.string == "Unschedulable" && c?["message"]?.string == "0/2 nodes are available: 2 Insufficient memory."
        }
        // The scheduler writes the condition first and records the event after it, so the
        // event may land a moment later than the condition is seen.
        try await eventually("FailedScheduling event") {
            let events = try await client.list(BuiltinResources.events, namespace: "default").items
            return events.contains { $0["reason"]?.string == "FailedScheduling" && $0[path: ["involvedObject", "name"]]?.string == "big" }
        }
        var bigCfg = HollowNodes.Config(count: 1)
        bigCfg.namePrefix = "big-node-"
        bigCfg.memory = "16Gi"
        let big = HollowNodes(client: client, config: bigCfg)
        tasks.append(Task { try? await big.run() })
        try await eventually("scheduled on the new node and running") {
            let p = try await client.get(Self.pods, namespace: "default", name: "big")
            return p[path: ["spec", "nodeName"]]?.string == "big-node-0" && p[path: ["status", "phase"]]?.string == "Running"
        }
    }

    /// In `edgectl server` the scheduler and the controllers read one pod and one
    /// node cache: the scheduler keeps no second copy of its own.
    func testSchedulerSharesThePodAndNodeCachesWithControllers() async throws {
        let cluster = try await LocalCluster()
        let client = cluster.client
        let informers = SharedInformerFactory(client: client)
        var cfg = HollowNodes.Config(count: 2)
        cfg.leaseRenewInterval = .seconds(1)
        let hollow = HollowNodes(client: client, config: cfg)
        let scheduler = Scheduler(client: client, informers: informers)
        let manager = ControllerManager(context: ControllerContext(client: client, informers: informers),
                                        controllers: [ReplicaSetController(), PodGarbageCollector()])
        let tasks: [Task<Void, Never>] = [Task { try? await hollow.run() }, Task { await scheduler.run() }, Task { await manager.run() }]
        defer { tasks.forEach { $0.cancel() } }
        let rs: JSON = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "shared"],
                        "spec": ["replicas": 4, "selector": ["matchLabels": ["app": "shared"]],
                                 "template": ["metadata": ["labels": ["app": "shared"]],
                                              "spec": ["containers": [["name": "c", "image": "busybox"]]]]]]
        _ = try await client.create(Self.rs, namespace: "default", rs)
        try await eventually("4 running pods") {
            let ps = try await client.list(Self.pods, namespace: "default").items
            return ps.count == 4 && ps.allSatisfy { $0[path: ["status", "phase"]]?.string == "Running" }
        }
        XCTAssertTrue(scheduler.podInformer === informers.informer(Self.pods))
        XCTAssertTrue(scheduler.nodeInformer === informers.informer(BuiltinResources.nodes))
        XCTAssertEqual(informers.count, 3, "pods, nodes and replicasets: one cache each")
    }
}
