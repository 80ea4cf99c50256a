import XCTest
import EdgeAPI
@testable import EdgeControllers

final class NodeAndDaemonSetTests: XCTestCase {
    static let nodes = BuiltinResources.nodes
    static let leases = BuiltinResources.leases
    static let daemonSets = BuiltinResources.daemonSets

    func node(_ name: String, labels: JSON = [:], taints: JSON? = nil) -> JSON {
        var n: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": labels],
                       "status": ["conditions": [["type": "Ready", "status": "True", "lastHeartbeatTime": .string(Timestamp.now().rfc3339)]]]]
        if let taints { n[path: ["spec", "taints"]] = taints }
        return n
    }

    func pod(_ name: String, node: String, tolerations: JSON = [], owner: JSON? = nil) -> JSON {
        var p: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
                       "spec": ["nodeName": .string(node), "containers": [["name": "c", "image": "i"]], "tolerations": tolerations]]
        if let owner { p[path: ["metadata", "ownerReferences"]] = [owner] }
        return p
    }

    func testSilentNodeIsTaintedAndItsPodsEvictedPerToleration() async throws {
        let c = try await TestCluster([NodeLifecycleController(gracePeriodSeconds: 1)])
        _ = try await c.client.create(Self.nodes, namespace: nil, node("n1"))
        _ = try await c.client.create(Self.leases, namespace: "kube-node-lease",
                                      ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "n1"],
                                       "spec": ["holderIdentity": "n1", "renewTime": .string(Timestamp.now().rfc3339Micro)]])
        // Pod admission gives every pod 300 s of unreachable toleration, so "intolerant" meets
        // a NoExecute taint of its own (maintenance) that it does not tolerate.
        let pods = BuiltinResources.pods
        _ = try await c.client.mergePatch(Self.nodes, namespace: nil, name: "n1",
                                          ["spec": ["taints": [["key": "maintenance", "effect": "NoExecute"]]]])
        _ = try await c.client.create(pods, namespace: "default", pod("intolerant", node: "n1",
                                      tolerations: [["key": "other", "operator": "Exists"]]))
        _ = try await c.client.create(pods, namespace: "default", pod("patient", node: "n1",
                                      tolerations: [["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 3],
                                                    ["key": "maintenance", "operator": "Exists", "effect": "NoExecute"]]))
        _ = try await c.client.create(pods, namespace: "default", pod("daemon", node: "n1",
                                      tolerations: [["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
                                                    ["key": "maintenance", "operator": "Exists", "effect": "NoExecute"]],
                                      owner: ["apiVersion": "apps/v1", "kind": "DaemonSet", "name": "ds", "uid": "u1", "controller": true]))
        c.start()
        defer { c.stop() }
        try await c.eventually("unreachable", timeout: .seconds(10)) {
            let n = try await c.client.get(Self.nodes, namespace: nil, name: "n1")
            let ready = (n[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "Ready" }
            // Both effects, as upstream: NoExecute evicts per toleration, NoSchedule keeps new pods off at once
            // (every pod tolerates the NoExecute one for 300 s, so it alone would let the scheduler place pods there).
            let taints = Set((n[path: ["spec", "taints"]]?.array ?? []).compactMap { t -> String? in
                guard t["key"]?.string == "node.kubernetes.io/unreachable" else { return nil }
                return t["effect"]?.string
            })
            return ready?["status"]?.string == "Unknown" && taints == ["NoExecute", "NoSchedule"]
        }
        func deleting(_ name: String) async throws -> Bool {
            try await c.client.get(pods, namespace: "default", name: name)[path: ["metadata", "deletionTimestamp"]] != nil
        }
        try await c.eventually("intolerant evicted") { try await deleting("intolerant") }
        let patientEarly = try await deleting("patient")
        XCTAssertFalse(patientEarly, "tolerationSeconds delays eviction")
        let n1 = try await c.client.get(Self.nodes, namespace: nil, name: "n1")
        XCTAssertTrue(n1[path: ["spec", "taints"]]?.array?.contains { $0["key"]?.string == "maintenance" } ?? false, "taints set by others are kept")
        try await c.eventually("patient evicted after its toleration", timeout: .seconds(10)) { try await deleting("patient") }
        let daemonDeleting = try await deleting("daemon")
        XCTAssertFalse(daemonDeleting, "daemon pods tolerate unreachable forever")
    }

    func daemonSet(_ name: String, nodeSelector: JSON? = nil, image: String = "agent:1") -> JSON {
        var ds: JSON = ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": .string(name)],
                        "spec": ["selector": ["matchLabels": ["app": .string(name)]],
                                 "template": ["metadata": ["labels": ["app": .string(name)]],
                                              "spec": ["containers": [["name": "c", "image": .string(image)]]]]]]
        if let nodeSelector { ds[path: ["spec", "template", "spec", "nodeSelector"]] = nodeSelector }
        return ds
    }

    func podsByNode(_ c: TestCluster) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for p in try await c.pods() where PodHelpers.isActive(p) { out[DaemonSetController.targetNode(p) ?? "?", default: 0] += 1 }
        return out
    }

    func testOnePodPerEligibleNode() async throws {
        let c = try await TestCluster([DaemonSetController()])
        _ = try await c.client.create(Self.nodes, namespace: nil, node("a", labels: ["disk": "ssd"]))
        _ = try await c.client.create(Self.nodes, namespace: nil, node("b", labels: ["disk": "ssd"]))
        _ = try await c.client.create(Self.nodes, namespace: nil, node("tainted", labels: ["disk": "ssd"],
                                                                      taints: [["key": "dedicated", "value": "gpu", "effect": "NoSchedule"]]))
        _ = try await c.client.create(Self.nodes, namespace: nil, node("hdd", labels: ["disk": "hdd"]))
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.daemonSets, namespace: "default", daemonSet("agent", nodeSelector: ["disk": "ssd"]))
        try await c.eventually("a and b covered") { try await self.podsByNode(c) == ["a": 1, "b": 1] }
        _ = try await c.client.create(Self.nodes, namespace: nil, node("c", labels: ["disk": "ssd"]))
        try await c.eventually("new node gets its pod") { try await self.podsByNode(c) == ["a": 1, "b": 1, "c": 1] }
        _ = try await c.client.mergePatch(Self.nodes, namespace: nil, name: "b", ["metadata": ["labels": ["disk": "hdd"]]])
        try await c.eventually("node losing its label loses its pod") { try await self.podsByNode(c) == ["a": 1, "c": 1] }
        try await c.eventually("status") {
            let s = try await c.client.get(Self.daemonSets, namespace: "default", name: "agent")["status"]
            return s?["desiredNumberScheduled"]?.int == 2 && s?["currentNumberScheduled"]?.int == 2
        }
        // A template change replaces the pods.
        _ = try await c.client.mergePatch(Self.daemonSets, namespace: "default", name: "agent",
                                          ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "agent:2"]]]]]])
        try await c.eventually("rolled", timeout: .seconds(15)) {
            let active = try await c.pods().filter(PodHelpers.isActive)
            return active.count == 2 && active.allSatisfy { $0[path: ["spec", "containers"]]?.array?.first?["image"]?.string == "agent:2" }
        }
    }

    /// Upstream's split: a NoSchedule taint keeps new daemon pods off a node but leaves the one
    /// already there running (a node gone Unknown is tainted NoSchedule too, and its agent DaemonSet
    /// must stay); a NoExecute taint the pod does not tolerate removes it.
    func testNoScheduleTaintKeepsARunningDaemonPod() async throws {
        let c = try await TestCluster([DaemonSetController()])
        _ = try await c.client.create(Self.nodes, namespace: nil, node("a"))
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.daemonSets, namespace: "default", daemonSet("agent", nodeSelector: [:]))
        try await c.eventually("a covered") { try await self.podsByNode(c) == ["a": 1] }
        _ = try await c.client.mergePatch(Self.nodes, namespace: nil, name: "a",
                                          ["spec": ["taints": [["key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"],
                                                               ["key": "dedicated", "effect": "NoSchedule"]]]])
        _ = try await c.client.create(Self.nodes, namespace: nil, node("b", taints: [["key": "dedicated", "effect": "NoSchedule"]]))
        _ = try await c.client.create(Self.nodes, namespace: nil, node("c"))
        try await c.eventually("c covered") { try await self.podsByNode(c) == ["a": 1, "c": 1] }
        try await Task.sleep(for: .milliseconds(500))
        let settled = try await self.podsByNode(c)
        XCTAssertEqual(settled, ["a": 1, "c": 1], "a keeps its pod; b gets none")
        _ = try await c.client.mergePatch(Self.nodes, namespace: nil, name: "a",
                                          ["spec": ["taints": [["key": "dedicated", "effect": "NoExecute"]]]])
        try await c.eventually("a NoExecute taint removes it") { try await self.podsByNode(c) == ["c": 1] }
    }

    /// Taint by condition: a hot board (ThermalPressure) or an under-powered one is tainted NoSchedule
    /// while the condition is True, and untainted when it clears; taints others set stay.
    func testConditionsBringNoScheduleTaints() async throws {
        let c = try await TestCluster([NodeLifecycleController(gracePeriodSeconds: 60)])
        var n = node("pi", taints: [["key": "mine", "effect": "NoSchedule"]])
        n[path: ["status", "conditions"]] = [["type": "Ready", "status": "True", "lastHeartbeatTime": .string(Timestamp.now().rfc3339)],
                                             ["type": "ThermalPressure", "status": "True", "reason": "SoCTemperatureHigh"],
                                             ["type": "UnderVoltage", "status": "False", "reason": "PowerSupplySufficient"]]
        _ = try await c.client.create(Self.nodes, namespace: nil, n)
        c.start()
        defer { c.stop() }
        func taints() async throws -> [String] {
            (try await c.client.get(Self.nodes, namespace: nil, name: "pi")[path: ["spec", "taints"]]?.array ?? [])
                .map { "\($0["key"]!.string!):\($0["effect"]!.string!)" }.sorted()
        }
        try await c.eventually("thermal taint") { try await taints() == ["edgectl.io/thermal-pressure:NoSchedule", "mine:NoSchedule"] }
        var cur = try await c.client.get(Self.nodes, namespace: nil, name: "pi")
        cur[path: ["status", "conditions"]] = [["type": "Ready", "status": "True", "lastHeartbeatTime": .string(Timestamp.now().rfc3339)],
                                               ["type": "ThermalPressure", "status": "False", "reason": "SoCTemperatureNormal"],
                                               ["type": "UnderVoltage", "status": "True", "reason": "UnderVoltageDetected"]]
        _ = try await c.client.updateStatus(Self.nodes, cur)
        try await c.eventually("under-voltage taint instead") { try await taints() == ["edgectl.io/under-voltage:NoSchedule", "mine:NoSchedule"] }
    }
}
