import XCTest
import EdgeAPI
@testable import EdgeScheduler

final class FiltersTests: XCTestCase {
    func node(_ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int64 = 110, labels: JSON = [:],
              taints: JSON = [], ready: Bool = true, unschedulable: Bool = false) -> NodeInfo {
        NodeInfo(node: ["metadata": ["name": .string(name), "labels": labels],
                        "spec": ["taints": taints, "unschedulable": .bool(unschedulable)],
                        "status": ["allocatable": ["cpu": .string(cpu), "memory": .string(memory), "pods": .int(pods)],
                                   "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]]]])
    }

    func pod(_ name: String, cpu: String? = nil, memory: String? = nil, spec extra: [(String, JSON)] = [], owner: String? = nil,
             labels: JSON = [:]) -> JSON {
        var requests = JSONObject()
        if let cpu { requests["cpu"] = .string(cpu) }
        if let memory { requests["memory"] = .string(memory) }
        var p: JSON = ["metadata": ["name": .string(name), "namespace": "default", "labels": labels],
                       "spec": ["containers": [["name": "c", "image": "i", "resources": ["requests": .object(requests)]]]]]
        for (k, v) in extra { p[path: ["spec", k]] = v }
        if let owner { p[path: ["metadata", "ownerReferences"]] = [["uid": .string(owner), "controller": true, "kind": "ReplicaSet", "name": "rs"]] }
        return p
    }

    func run(_ pod: JSON, _ nodes: [NodeInfo]) -> ([String], String) {
        let dict = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        let (ok, reasons, _) = Scheduler.filter(pod, PlacedPod(pod: pod), dict, order: nodes.map(\.name), start: 0)
        return (ok.map(\.name).sorted(), Scheduler.fitErrorMessage(total: nodes.count, reasons: reasons))
    }

    func testResourceFitCountsPlacedPods() {
        var small = node("small", cpu: "1", memory: "1Gi")
        small.add(PlacedPod(pod: pod("existing", cpu: "800m", memory: "512Mi")))
        let (ok, msg) = run(pod("p", cpu: "500m", memory: "256Mi"), [small, node("big")])
        XCTAssertEqual(ok, ["big"])
        XCTAssertEqual(msg, "0/2 nodes are available: 1 Insufficient cpu.")
    }

    func testUpstreamStyleMessageWithSeveralReasons() {
        let p = pod("p", memory: "16Gi", spec: [("nodeSelector", ["disk": "ssd"])])
        let (ok, msg) = run(p, [node("a", labels: ["disk": "ssd"]), node("b"), node("c")])
        XCTAssertEqual(ok, [])
        XCTAssertEqual(msg, "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.")
    }

    func testNodeAffinityOperators() {
        let affinity: JSON = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
            ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a", "b"]],
                                  ["key": "gpu", "operator": "DoesNotExist"],
                                  ["key": "cores", "operator": "Gt", "values": ["4"]]]]]]]]
        let (ok, _) = run(pod("p", spec: [("affinity", affinity)]), [
            node("yes", labels: ["zone": "a", "cores": "8"]), node("gpu", labels: ["zone": "a", "gpu": "1", "cores": "8"]),
            node("few", labels: ["zone": "b", "cores": "2"]), node("elsewhere", labels: ["zone": "c", "cores": "8"]),
        ])
        XCTAssertEqual(ok, ["yes"])
    }

    func testTaintsTolerationsReadinessAndCordon() {
        let taint: JSON = [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]
        let nodes = [node("tainted", taints: taint), node("notready", ready: false), node("cordoned", unschedulable: true), node("plain")]
        XCTAssertEqual(run(pod("p"), nodes).0, ["plain"])
        let tolerant = pod("t", spec: [("tolerations", [["key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"]])])
        XCTAssertEqual(run(tolerant, nodes).0, ["plain", "tainted"])
        let (_, msg) = run(pod("p"), [node("tainted", taints: taint)])
        XCTAssertEqual(msg, "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}.")
    }

    func testHostPortConflictAndAntiAffinity() {
        var n1 = node("n1")
        n1.add(PlacedPod(pod: pod("web-1", spec: [("containers", [["name": "c", "ports": [["containerPort": 80, "hostPort": 8080]]]])],
                             labels: ["app": "web"])))
        let wantsPort = pod("x", spec: [("containers", [["name": "c", "ports": [["containerPort": 80, "hostPort": 8080]]]])])
        XCTAssertEqual(run(wantsPort, [n1, node("n2")]).0, ["n2"])
        let anti: JSON = ["podAntiAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            ["topologyKey": "kubernetes.io/hostname", "labelSelector": ["matchLabels": ["app": "web"]]]]]]
        XCTAssertEqual(run(pod("web-2", spec: [("affinity", anti)], labels: ["app": "web"]), [n1, node("n2")]).0, ["n2"])
    }

    func testScoringSpreadsReplicasOfOneOwner() {
        var a = node("a")
        a.add(PlacedPod(pod: pod("r1", cpu: "100m", owner: "rs-1")))
        let b = node("b")
        let p = pod("r2", cpu: "100m", owner: "rs-1")
        XCTAssertEqual(Scores.pick(p, PlacedPod(pod: p), [a, b]), "b")
    }

    func testLargeClustersStopSearchingOnceEnoughNodesFit() {
        XCTAssertEqual(Scheduler.feasibleNodesToFind(50), 50)
        XCTAssertEqual(Scheduler.feasibleNodesToFind(1000), 420, "42% at 1000 nodes, as upstream")
        XCTAssertEqual(Scheduler.feasibleNodesToFind(5000), 500, "10% at 5000 nodes")
        XCTAssertEqual(Scheduler.feasibleNodesToFind(200), 100, "never fewer than 100")
        let nodes = (0..<300).map { node("n\($0)") }
        let dict = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        let order = nodes.map(\.name)
        let p = pod("p", cpu: "100m", memory: "64Mi")
        let first = Scheduler.filter(p, PlacedPod(pod: p), dict, order: order, start: 0)
        XCTAssertEqual(first.feasible.count, Scheduler.feasibleNodesToFind(300))
        XCTAssertEqual(first.examined, first.feasible.count)
        // The next search starts where this one stopped, so every node gets its turn.
        let next = Scheduler.filter(p, PlacedPod(pod: p), dict, order: order, start: first.examined)
        XCTAssertEqual(next.feasible.first?.name, order[first.examined])
    }

    func testQuantityParsing() {
        XCTAssertEqual(QuantityValue.milliInt(.string("500m")), 500)
        XCTAssertEqual(QuantityValue.milliInt(.string("2")), 2000)
        XCTAssertEqual(QuantityValue.milliInt(.string("1Ki")), 1_024_000)
        XCTAssertEqual(QuantityValue.milliInt(.string("1e3")), 1_000_000)
        XCTAssertEqual(QuantityValue.milliInt(.string("1.5Gi")), 1_610_612_736_000)
        XCTAssertNil(QuantityValue.milliInt(.string("abc")))
    }
}
