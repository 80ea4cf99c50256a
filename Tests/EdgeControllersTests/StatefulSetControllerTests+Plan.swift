import XCTest
import EdgeAPI
@testable import EdgeControllers

/// The ordering rules on their own, without a cluster: each case is a snapshot
/// of pods and the exact creates and deletes that must follow.
extension StatefulSetControllerTests {
    typealias C = StatefulSetController

    func spec(replicas: Int64, policy: String = "OrderedReady", strategy: String = "RollingUpdate", partition: Int64 = 0) -> C.Spec {
        C.Spec(statefulSet("web", replicas: replicas, policy: policy, strategy: strategy, partition: partition))
    }

    /// Pod web-<i>; `revision` nil means the set's current template.
    func pod(_ i: Int, _ spec: C.Spec, ready: Bool = true, phase: String = "Running", revision: String? = nil, deleting: Bool = false) -> JSON {
        var p: JSON = ["metadata": ["name": .string("web-\(i)"), "uid": .string("u\(i)"),
                                    "labels": ["controller-revision-hash": .string(revision ?? spec.updateRevision)]],
                       "status": ["phase": .string(phase), "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]]]]
        if deleting { p[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z" }
        return p
    }

    func plan(_ spec: C.Spec, _ pods: [JSON]) -> (creates: [Int], deletes: [String]) {
        var byOrdinal: [Int: JSON] = [:]
        for p in pods { byOrdinal[C.ordinal(p, set: "web")!] = p }
        let p = C.plan(spec, pods: byOrdinal, now: Timestamp.now())
        return (p.creates, p.deletes.compactMap { $0[path: ["metadata", "name"]]?.string })
    }

    func testPlanOrderedReadyWaitsForEachOrdinal() {
        let s = spec(replicas: 3)
        XCTAssertEqual(plan(s, []).creates, [0])
        XCTAssertEqual(plan(s, [pod(0, s, ready: false)]).creates, [])
        XCTAssertEqual(plan(s, [pod(0, s, phase: "Pending")]).creates, [], "Ready but not Running")
        XCTAssertEqual(plan(s, [pod(0, s)]).creates, [1])
        // A gap is refilled before anything higher moves.
        XCTAssertEqual(plan(s, [pod(0, s), pod(2, s)]).creates, [1])
        let p = spec(replicas: 3, policy: "Parallel")
        XCTAssertEqual(plan(p, []).creates, [0, 1, 2])
    }

    func testPlanScaleDownHighestFirst() {
        let s = spec(replicas: 1)
        XCTAssertEqual(plan(s, [pod(0, s), pod(1, s), pod(2, s)]).deletes, ["web-2"])
        XCTAssertEqual(plan(s, [pod(0, s), pod(1, s), pod(2, s, deleting: true)]).deletes, [], "waits for web-2 to be gone")
        XCTAssertEqual(plan(s, [pod(0, s, ready: false), pod(1, s), pod(2, s)]).deletes, [], "waits for the remaining pods to be ready")
        // Only the lowest unhealthy condemned pod may go while unhealthy.
        XCTAssertEqual(plan(s, [pod(0, s), pod(1, s, ready: false), pod(2, s, ready: false)]).deletes, [])
        XCTAssertEqual(plan(s, [pod(0, s), pod(1, s, ready: false), pod(2, s)]).deletes, ["web-2"])
        XCTAssertEqual(plan(s, [pod(0, s), pod(1, s, ready: false)]).deletes, ["web-1"])
        let p = spec(replicas: 1, policy: "Parallel")
        XCTAssertEqual(plan(p, [pod(0, s), pod(1, s, ready: false), pod(2, s)]).deletes, ["web-2", "web-1"])
    }

    func testPlanFinishedPodsAreRemovedForRecreation() {
        let s = spec(replicas: 2)
        XCTAssertEqual(plan(s, [pod(0, s, phase: "Failed"), pod(1, s)]).deletes, ["web-0"])
        XCTAssertEqual(plan(s, [pod(0, s), pod(1, s, phase: "Succeeded")]).deletes, ["web-1"])
        XCTAssertEqual(plan(s, [pod(0, s)]).creates, [1])
    }

    func testPlanRollingUpdateFromTheTopDownToThePartition() {
        let s = spec(replicas: 3, partition: 1)
        let old = "web-old"
        XCTAssertEqual(plan(s, [pod(0, s, revision: old), pod(1, s, revision: old), pod(2, s, revision: old)]).deletes, ["web-2"])
        XCTAssertEqual(plan(s, [pod(0, s, revision: old), pod(1, s, revision: old), pod(2, s, ready: false)]).deletes, [],
                       "waits for the new web-2 to be ready")
        XCTAssertEqual(plan(s, [pod(0, s, revision: old), pod(1, s, revision: old), pod(2, s)]).deletes, ["web-1"])
        XCTAssertEqual(plan(s, [pod(0, s, revision: old), pod(1, s), pod(2, s)]).deletes, [], "web-0 is below the partition")
        let onDelete = spec(replicas: 3, strategy: "OnDelete")
        XCTAssertEqual(plan(onDelete, [pod(0, s, revision: old), pod(1, s, revision: old), pod(2, s, revision: old)]).deletes, [])
    }

    func testOrdinalsAndNewPod() {
        XCTAssertEqual(C.ordinal(["metadata": ["name": "web-12"]], set: "web"), 12)
        XCTAssertNil(C.ordinal(["metadata": ["name": "web-01"]], set: "web"))
        XCTAssertNil(C.ordinal(["metadata": ["name": "web-x"]], set: "web"))
        XCTAssertNil(C.ordinal(["metadata": ["name": "webby-1"]], set: "web"))
        var set = statefulSet("web", replicas: 2)
        set[path: ["metadata", "namespace"]] = "ns1"
        set[path: ["spec", "template", "spec", "hostname"]] = "ignored"
        let s = C.Spec(set)
        let p = C.newPod(set, spec: s, ordinal: 1)
        XCTAssertEqual(p[path: ["metadata", "name"]]?.string, "web-1")
        XCTAssertNil(p[path: ["metadata", "generateName"]])
        XCTAssertEqual(p[path: ["metadata", "namespace"]]?.string, "ns1")
        XCTAssertEqual(p[path: ["spec", "hostname"]]?.string, "web-1")
        XCTAssertEqual(p[path: ["spec", "subdomain"]]?.string, "db")
        XCTAssertEqual(p[path: ["metadata", "labels", "controller-revision-hash"]]?.string, s.updateRevision)
        // The revision follows the template only.
        var scaled = set
        scaled[path: ["spec", "replicas"]] = 5
        XCTAssertEqual(C.Spec(scaled).updateRevision, s.updateRevision)
        var changed = set
        changed[path: ["spec", "template", "spec", "containers"]] = [["name": "c", "image": "v2"]]
        XCTAssertNotEqual(C.Spec(changed).updateRevision, s.updateRevision)
    }
}
