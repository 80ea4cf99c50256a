import XCTest
import EdgeAPI
@testable import EdgeControllers

final class PodDeletionOrderTests: XCTestCase {
    let now = Timestamp(seconds: 1_800_000_000)

    func pod(_ name: String, node: String? = "n", phase: String = "Running", ready: Bool = true, readyAgo: Int64 = 3600,
             createdAgo: Int64 = 7200, restarts: Int32 = 0, cost: String? = nil) -> JSON {
        var p: JSON = ["metadata": ["name": .string(name), "uid": .string("uid-" + name),
                                    "creationTimestamp": .string(now.adding(seconds: -createdAgo).rfc3339)],
                       "spec": [:],
                       "status": ["phase": .string(phase),
                                  "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False"),
                                                  "lastTransitionTime": .string(now.adding(seconds: -readyAgo).rfc3339)]],
                                  "containerStatuses": [["name": "c", "restartCount": .int(Int64(restarts))]]]]
        if let node { p[path: ["spec", "nodeName"]] = .string(node) }
        if let cost { p[path: ["metadata", "annotations"]] = [PodDeletionOrder.deletionCostAnnotation: .string(cost)] }
        return p
    }

    func names(_ pods: [JSON]) -> [String] { pods.compactMap { $0[path: ["metadata", "name"]]?.string } }

    func testUnscheduledThenPendingThenNotReadyThenNewest() {
        let order = PodDeletionOrder(now: now)
        let sorted = order.sorted([pod("old"), pod("unscheduled", node: nil, phase: "Pending", ready: false),
                                   pod("not-ready", ready: false), pod("pending", phase: "Pending", ready: false),
                                   pod("unknown", phase: "Unknown", ready: false), pod("restarted", restarts: 3),
                                   pod("just-ready", readyAgo: 10)])
        XCTAssertEqual(names(sorted), ["unscheduled", "pending", "unknown", "not-ready", "just-ready", "restarted", "old"])
    }

    func testRankedDeletesDoubledUpNodesFirst() {
        let pods = [pod("a1", node: "a"), pod("a2", node: "a"), pod("a3", node: "a"), pod("b1", node: "b"), pod("c1", node: "c", readyAgo: 5)]
        let ranked = PodDeletionOrder(now: now, related: pods).sorted(pods)
        XCTAssertEqual(Set(names(Array(ranked.prefix(3)))), ["a1", "a2", "a3"], "the crowded node's pods go first")
        // Unranked, the most recently ready goes first wherever it runs.
        XCTAssertEqual(names(PodDeletionOrder(now: now).sorted(pods)).first, "c1")
    }

    func testRelatedPodsOfSiblingReplicaSetsCountTowardTheRank() {
        let mine = [pod("a1", node: "a"), pod("b1", node: "b")]
        let sibling = [pod("old-b1", node: "b"), pod("old-b2", node: "b")]
        let ranked = PodDeletionOrder(now: now, related: mine + sibling).sorted(mine)
        XCTAssertEqual(names(ranked), ["b1", "a1"])
    }

    func testDeletionCostComesBeforeTheRankAndBadValuesCountAsZero() {
        let pods = [pod("a1", node: "a", cost: "100"), pod("a2", node: "a", cost: "100"), pod("b1", node: "b", cost: "-5"),
                    pod("c1", node: "c", cost: "not-a-number"), pod("d1", node: "d", cost: "99999999999")]
        let ranked = names(PodDeletionOrder(now: now, related: pods).sorted(pods))
        XCTAssertEqual(ranked.first, "b1")
        XCTAssertEqual(Set(ranked[1...2]), ["c1", "d1"], "cost 0 for what is not an int32")
        XCTAssertEqual(Set(ranked[3...4]), ["a1", "a2"])
    }

    func testRankedAgesCompareOnALogScaleThenByUID() {
        // Ready 1,000 s and 1,050 s ago: the same power of two of nanoseconds, so the UID decides;
        // 10 s ago is a smaller power and goes first.
        let pods = [pod("y", readyAgo: 1000), pod("x", readyAgo: 1050), pod("z", readyAgo: 10)]
        XCTAssertEqual(names(PodDeletionOrder(now: now, related: pods).sorted(pods)), ["z", "x", "y"])
        XCTAssertEqual(names(PodDeletionOrder(now: now).sorted(pods)), ["z", "y", "x"], "unranked: plainly newest first")
    }

    func testTimesFromOutsideDoNotTrap() {
        var far = pod("far")
        far[path: ["metadata", "creationTimestamp"]] = "0001-01-01T00:00:00Z"
        var future = pod("future", readyAgo: -999_999_999)
        future[path: ["metadata", "creationTimestamp"]] = "9999-12-31T23:59:59Z"
        let sorted = PodDeletionOrder(now: now, related: [far, future]).sorted([far, future])
        XCTAssertEqual(Set(names(sorted)), ["far", "future"])
    }
}
