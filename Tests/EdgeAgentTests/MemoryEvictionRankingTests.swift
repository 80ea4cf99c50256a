import XCTest
import EdgeAPI
@testable import EdgeAgent

/// kubelet's rankMemoryPressure: over requests first, then priority, then use above requests; critical pods never.
final class MemoryEvictionRankingTests: XCTestCase {
    func pod(_ name: String, request: String? = nil, limit: String? = nil, priority: Int64 = 0, priorityClass: String? = nil) -> JSON {
        var resources: JSON = [:]
        if let request { resources["requests"] = ["memory": .string(request)] }
        if let limit { resources["limits"] = ["memory": .string(limit)] }
        var spec: JSON = ["containers": [["name": "c", "image": "i", "resources": resources]], "priority": .int(priority)]
        if let priorityClass { spec["priorityClassName"] = .string(priorityClass) }
        return ["metadata": ["name": .string(name), "uid": .string(name)], "spec": spec]
    }

    func order(_ c: [(JSON, Int64)]) -> [String] {
        MemoryEvictionRanking.rank(c.map { .init(pod: $0.0, uid: $0.0[path: ["metadata", "uid"]]!.string!, usageBytes: $0.1) })
            .map { $0.uid }
    }

    func testBestEffortAndBurstableOverRequestGoFirstGuaranteedLast() {
        let mib: Int64 = 1 << 20
        let ranked = order([
            (pod("guaranteed", request: "64Mi", limit: "64Mi"), 40 * mib),
            (pod("burstable-under", request: "128Mi"), 100 * mib),
            (pod("besteffort", ), 30 * mib),
            (pod("burstable-over", request: "8Mi"), 20 * mib),
        ])
        XCTAssertEqual(ranked, ["besteffort", "burstable-over", "guaranteed", "burstable-under"],
                       "over requests by 30Mi, then 12Mi; then those under requests, the smallest margin below request first")
    }

    func testPriorityBeforeUsageAndCriticalPodsNever() {
        let mib: Int64 = 1 << 20
        XCTAssertEqual(order([(pod("low", priority: -10), 1 * mib), (pod("high", priority: 1000), 500 * mib)]), ["low", "high"])
        XCTAssertEqual(order([(pod("dns", priorityClass: "system-cluster-critical"), 900 * mib), (pod("app"), 1 * mib)]), ["app"])
        XCTAssertEqual(MemoryEvictionRanking.requests(pod("x", limit: "1Gi")), 1 << 30, "a limit alone stands in for the request")
    }
}
