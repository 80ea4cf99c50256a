import XCTest
import EdgeTestSupport
import Synchronization
import EdgeAPI
import EdgeClient
import EdgeInProcess
@testable import EdgeAgent

/// Host facts the test controls.
final class FakeNodeFacts: NodeFactsSource {
    let facts: Mutex<NodeFacts>
    init() {
        facts = Mutex(NodeFacts(cpuCores: 4, memoryBytes: 4 << 30, memoryAvailableBytes: 3 << 30, diskBytes: 64 << 30,
                                diskAvailableBytes: 40 << 30, pidsMax: 32768, pidsInUse: 200, kernelVersion: "6.1.0-rpi",
                                osImage: "Debian GNU/Linux 12 (bookworm)", architecture: "arm64", machineID: "m1", bootID: "b1",
                                internalIP: "192.0.2.21", hostname: "pi-1"))
    }
    func gather() throws -> NodeFacts { facts.withLock { $0 } }
}

final class NodeAgentTests: XCTestCase {
    static let nodes = BuiltinResources.nodes
    static let leases = BuiltinResources.leases

    func testRegistersRenewsLeaseAndWritesStatusOnlyOnChange() async throws {
        let client = try await LocalCluster().client
        let facts = FakeNodeFacts()
        var cfg = NodeAgent.Config(nodeName: "pi-1")
        cfg.leaseInterval = .milliseconds(50)
        cfg.statusCheckInterval = .milliseconds(30)
        cfg.labels = ["board": "rpi4"]
        let agent = NodeAgent(client: client, config: cfg, facts: facts)
        let task = Task { await agent.run() }
        defer { task.cancel() }
        try await eventually("node") { try await client.getIfExists(Self.nodes, namespace: nil, name: "pi-1") != nil }
        let node = try await client.get(Self.nodes, namespace: nil, name: "pi-1")
        XCTAssertEqual(node[path: ["status", "capacity", "cpu"]]?.string, "4")
        XCTAssertEqual(node[path: ["status", "capacity", "memory"]]?.string, "4194304Ki")
        XCTAssertEqual(node[path: ["status", "allocatable", "memory"]]?.string, "\((Int64(4) << 30 - Int64(100) << 20) / 1024)Ki", "less the eviction threshold")
        XCTAssertEqual(node[path: ["status", "capacity", "pods"]]?.string, "110")
        XCTAssertEqual(node[path: ["status", "nodeInfo", "architecture"]]?.string, "arm64")
        XCTAssertEqual(node[path: ["status", "nodeInfo", "kernelVersion"]]?.string, "6.1.0-rpi")
        XCTAssertEqual(node[path: ["metadata", "labels", "kubernetes.io/arch"]]?.string, "arm64")
        XCTAssertEqual(node[path: ["metadata", "labels", "board"]]?.string, "rpi4")
        let addresses = node[path: ["status", "addresses"]]?.array ?? []
        XCTAssertTrue(addresses.contains(["type": "InternalIP", "address": "192.0.2.21"]))
        let types = (node[path: ["status", "conditions"]]?.array ?? []).map { "\($0["type"]!.string!)=\($0["status"]!.string!)" }
        XCTAssertEqual(types, ["MemoryPressure=False", "DiskPressure=False", "PIDPressure=False", "Ready=True"])

        // The lease is renewed on its own clock.
        try await eventually("lease") { try await client.getIfExists(Self.leases, namespace: "kube-node-lease", name: "pi-1") != nil }
        let first = try await client.get(Self.leases, namespace: "kube-node-lease", name: "pi-1")[path: ["spec", "renewTime"]]
        try await eventually("lease renewed") {
            try await client.get(Self.leases, namespace: "kube-node-lease", name: "pi-1")[path: ["spec", "renewTime"]] != first
        }
        // Nothing changed: no status writes, however often the agent looks.
        let rv = try await client.get(Self.nodes, namespace: nil, name: "pi-1")[path: ["metadata", "resourceVersion"]]
        try await Task.sleep(for: .milliseconds(400))
        let same = try await client.get(Self.nodes, namespace: nil, name: "pi-1")[path: ["metadata", "resourceVersion"]]
        XCTAssertEqual(rv, same, "an unchanged status is not rewritten")

        facts.facts.withLock { $0.memoryAvailableBytes = 50 << 20 }
        try await eventually("memory pressure reported") {
            let n = try await client.get(Self.nodes, namespace: nil, name: "pi-1")
            return (n[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "MemoryPressure" && $0["status"]?.string == "True" }
        }
    }

    /// The node tells the scheduler which platforms its images offer: at registration, and
    /// again (one metadata patch, no status write) whenever its store changes.
    func testPublishesItsImagesPlatformsAndUpdatesThemWhenTheStoreChanges() async throws {
        let client = try await LocalCluster().client
        let held = Mutex<[String: [ImagePlatform]]>(["docker.io/library/busybox:latest": [ImagePlatform(architecture: "amd64"),
                                                                                        ImagePlatform(architecture: "arm64", variant: "v8")]])
        var cfg = NodeAgent.Config(nodeName: "pi-2")
        cfg.leaseInterval = .milliseconds(50)
        cfg.statusCheckInterval = .milliseconds(30)
        cfg.imagePlatforms = { held.withLock { $0 } }
        let agent = NodeAgent(client: client, config: cfg, facts: FakeNodeFacts())
        let task = Task { await agent.run() }
        defer { task.cancel() }
        func published() async throws -> [String: [ImagePlatform]] {
            let node = try await client.getIfExists(Self.nodes, namespace: nil, name: "pi-2")
            return NodeImagePlatforms.decode(node?[path: ["metadata", "annotations", NodeImagePlatforms.annotation]]?.string)
        }
        try await eventually("annotation at registration") { try await published() == held.withLock { $0 } }
        held.withLock { $0["localhost/app:1"] = [ImagePlatform(architecture: "arm", variant: "v7")] }
        try await eventually("annotation updated") { try await published()["localhost/app:1"] == [ImagePlatform(architecture: "arm", variant: "v7")] }
        let rv = try await client.get(Self.nodes, namespace: nil, name: "pi-2")[path: ["metadata", "resourceVersion"]]
        try await Task.sleep(for: .milliseconds(300))
        let same = try await client.get(Self.nodes, namespace: nil, name: "pi-2")[path: ["metadata", "resourceVersion"]]
        XCTAssertEqual(same, rv, "an unchanged set is not rewritten")
    }

    /// A restarted agent brings its Node's labels up to date (kubelet's updateDefaultLabels): a new board label appears.
    func testReRegistrationUpdatesLabels() async throws {
        let client = try await LocalCluster().client
        let node: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "pi-2", "labels": ["keep": "me", "edgectl.io/board": "old"]]]
        _ = try await client.create(Self.nodes, namespace: nil, node)
        var cfg = NodeAgent.Config(nodeName: "pi-2")
        cfg.labels = ["edgectl.io/board": "rpi4", "node.kubernetes.io/instance-type": "rpi4"]
        let agent = NodeAgent(client: client, config: cfg, facts: FakeNodeFacts())
        try await agent.register()
        let labels = try await client.get(Self.nodes, namespace: nil, name: "pi-2")[path: ["metadata", "labels"]]
        XCTAssertEqual(labels?["edgectl.io/board"]?.string, "rpi4")
        XCTAssertEqual(labels?["node.kubernetes.io/instance-type"]?.string, "rpi4")
        XCTAssertEqual(labels?["kubernetes.io/arch"]?.string, "arm64")
        XCTAssertEqual(labels?["keep"]?.string, "me", "labels others set stay")
    }
}
