import XCTest
import Synchronization
import EdgeAPI
import EdgeClient
@testable import EdgeControllers

/// Objects stored before decoding checked ranges may hold any int64 (or any
/// quantity): the controllers' arithmetic on them saturates and never traps,
/// on 64-bit and where Int is 32 bits.
final class OutOfRangeFieldsTests: XCTestCase {
    func testAFinishedJobWithAnInt64MaxTTLWaitsInsteadOfTrapping() async throws {
        let c = try await TestCluster([])
        let job: JSON = ["metadata": ["name": "old", "namespace": "default"],
                         "spec": ["ttlSecondsAfterFinished": .int(.max)],
                         "status": ["completionTime": "2026-01-01T00:00:00Z"]]
        do {
            try await JobController().cleanUpAfterTTL(job, finishedAt: nil, ns: "default", name: "old", now: Timestamp.now(), c.manager.context)
            XCTFail("a Job decades from its TTL is not deleted")
        } catch let r as RequeueAfter {
            XCTAssertEqual(r.delay, .longestSleep, "looked at again within a day")
        }
    }

    func testRequeueDelaysAreCappedAtADay() {
        XCTAssertEqual(RequeueAfter(.seconds(Int64.max)).delay, .longestSleep)
        XCTAssertEqual(RequeueAfter(.seconds(-5)).delay, .zero)
        XCTAssertEqual(RequeueAfter(.seconds(7)).delay, .seconds(7))
    }

    func testAvailabilityWithAnInt64MaxMinReadySecondsIsNever() {
        let pod: JSON = ["status": ["conditions": [["type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"]]]]
        XCTAssertFalse(PodHelpers.isAvailable(pod, minReadySeconds: .max, now: Timestamp.now()))
        XCTAssertTrue(PodHelpers.isAvailable(pod, minReadySeconds: 5, now: Timestamp.now()))
    }

    func testBackoffWithAHugeFailedCountStopsAtTheCap() {
        let delay = JobController(backoffBaseSeconds: 10).backoffRemaining(failedPods: [], failed: Int(Int32.max), now: Timestamp(seconds: 0))
        XCTAssertEqual(delay, 360)
    }

    func testOddIntOrPercentValuesResolveWithinInt32() {
        for v: JSON in ["nan%", "1e308%", "-1e308%", .int(.max), .int(.min), "99999999999999999999%"] {
            let r = DeploymentMath.resolve(v, total: Int(Int32.max), roundUp: true, default: 1)
            XCTAssertTrue(Int(Int32.min)...Int(Int32.max) ~= r, "\(v) -> \(r)")
        }
        XCTAssertEqual(DeploymentMath.resolve("25%", total: 10, roundUp: true, default: 0), 3)
        let d: JSON = ["spec": ["replicas": .int(.max), "strategy": ["rollingUpdate": ["maxSurge": "100%", "maxUnavailable": .int(.min)]]]]
        let (surge, unavailable) = DeploymentMath.surgeAndUnavailable(d)
        XCTAssertEqual(surge, Int(Int32.max))
        XCTAssertEqual(unavailable, 0)
    }

    func testStatefulSetPlansABoundedNumberOfCreates() {
        let set: JSON = ["spec": ["replicas": .int(.max), "podManagementPolicy": "Parallel"]]
        let plan = StatefulSetController.plan(StatefulSetController.Spec(set), pods: [:], now: Timestamp.now())
        XCTAssertEqual(plan.creates.count, StatefulSetController.maxCreatesPerPass)
    }

    func testSlowStartDoublingStopsAtTheTotal() async throws {
        let calls = Counter()
        let n = try await SlowStart.run(total: 100) { calls.add() }
        XCTAssertEqual(n, 100)
        XCTAssertEqual(calls.value, 100)
    }

    final class Counter: Sendable {
        private let n = Mutex(0)
        func add() { n.withLock { $0 += 1 } }
        var value: Int { n.withLock { $0 } }
    }
}
