import XCTest
import EdgeAPI
@testable import EdgeControllers

final class PodGarbageCollectorTests: XCTestCase {
    func testPodsOfMissingNodesGoAfterTheQuarantine() async throws {
        let clock = ManualClock()
        let c = try await TestCluster([PodGarbageCollector(quarantineSeconds: 40)], clock: clock)
        let pods = BuiltinResources.pods
        _ = try await c.client.create(BuiltinResources.nodes, namespace: nil, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "alive"]])
        for (name, node) in [("orphan", "gone"), ("fine", "alive")] {
            _ = try await c.client.create(pods, namespace: "default", ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
                                                                       "spec": ["nodeName": .string(node), "containers": [["name": "c", "image": "i"]]]])
        }
        c.start()
        defer { c.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let early = try await c.client.getIfExists(pods, namespace: "default", name: "orphan")
        XCTAssertNotNil(early, "kept during the quarantine: its node may be registering")
        clock.set(clock.now().adding(seconds: 41))
        _ = try await c.client.mergePatch(pods, namespace: "default", name: "orphan", ["metadata": ["labels": ["poke": "1"]]])
        try await c.eventually("orphan deleted") { try await c.client.getIfExists(pods, namespace: "default", name: "orphan") == nil }
        let fine = try await c.client.getIfExists(pods, namespace: "default", name: "fine")
        XCTAssertNotNil(fine)
    }
}
