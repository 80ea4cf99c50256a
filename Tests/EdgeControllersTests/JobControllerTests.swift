import XCTest
import EdgeAPI
@testable import EdgeControllers

final class JobControllerTests: XCTestCase {
    static let jobs = BuiltinResources.jobs

    func job(_ name: String, _ spec: JSON) -> JSON {
        var s = spec
        s["template"] = ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)], "spec": s]
    }

    func condition(_ j: JSON, _ type: String) -> JSON? {
        (j[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == type && $0["status"]?.string == "True" }
    }

    func testCompletionsWithParallelismRunsAtMostTwoAtATimeUntilFiveSucceed() async throws {
        let c = try await TestCluster([JobController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.jobs, namespace: "default", job("batch", ["completions": 5, "parallelism": 2]))
        var maxActive = 0, finished = 0
        // Each round: wait until the controller runs as many pods as it may (two, fewer at the
        // end), count them, then finish one. No fixed pause: under qemu the controller is slow.
        while finished < 5 {
            let want = min(2, 5 - finished)
            try await c.eventually("\(want) pods running with \(finished) done") {
                try await c.pods().filter(PodHelpers.isActive).count >= want
            }
            maxActive = max(maxActive, try await c.pods().filter(PodHelpers.isActive).count)
            let n = try await c.finishPods("Succeeded", limit: 1)
            if n == 0 { XCTFail("no running pod to finish after \(finished)"); break }
            finished += n
        }
        try await c.eventually("Complete") { self.condition(try await c.client.get(Self.jobs, namespace: "default", name: "batch"), "Complete") != nil }
        let j = try await c.client.get(Self.jobs, namespace: "default", name: "batch")
        XCTAssertEqual(j[path: ["status", "succeeded"]]?.int, 5)
        XCTAssertEqual(maxActive, 2, "parallelism caps running pods")
        XCTAssertNotNil(j[path: ["status", "completionTime"]])
        let pods = try await c.pods()
        XCTAssertEqual(pods.count, 5, "exactly one pod per completion")
        XCTAssertTrue(pods.allSatisfy { $0[path: ["metadata", "labels", "job-name"]]?.string == "batch" })
    }

    func testFailingPodsRetryUntilBackoffLimitThenFailed() async throws {
        let c = try await TestCluster([JobController(backoffBaseSeconds: 0)])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.jobs, namespace: "default", job("flaky", ["backoffLimit": 2]))
        for attempt in 1...3 {
            try await c.eventually("attempt \(attempt) running") {
                let pods = try await c.pods()
                return pods.count == attempt && pods.filter(PodHelpers.isActive).count == 1
            }
            try await c.finishPods("Failed")
        }
        try await c.eventually("Failed condition") { self.condition(try await c.client.get(Self.jobs, namespace: "default", name: "flaky"), "Failed") != nil }
        let j = try await c.client.get(Self.jobs, namespace: "default", name: "flaky")
        XCTAssertEqual(condition(j, "Failed")?["reason"]?.string, "BackoffLimitExceeded")
        XCTAssertEqual(j[path: ["status", "failed"]]?.int, 3)
        try await Task.sleep(for: .milliseconds(200))
        let count = try await c.pods().count
        XCTAssertEqual(count, 3, "no retry after the limit")
    }

    func testRetryWaitsForExponentialBackoff() {
        let jc = JobController(backoffBaseSeconds: 10)
        let now = Timestamp(seconds: 1_000_000)
        func failedAt(_ s: Int64) -> JSON {
            ["status": ["containerStatuses": [["state": ["terminated": ["finishedAt": .string(Timestamp(seconds: s).rfc3339)]]]]]]
        }
        XCTAssertEqual(jc.backoffRemaining(failedPods: [failedAt(1_000_000)], failed: 1, now: now), 10)
        XCTAssertEqual(jc.backoffRemaining(failedPods: [failedAt(999_995)], failed: 2, now: now), 15, "20 s after the second failure")
        XCTAssertEqual(jc.backoffRemaining(failedPods: [failedAt(1_000_000)], failed: 10, now: now), 360, "capped at 6 minutes")
        XCTAssertEqual(jc.backoffRemaining(failedPods: [failedAt(999_000)], failed: 1, now: now), 0)
    }

    func testActiveDeadlineFailsTheJobAndStopsItsPods() async throws {
        let c = try await TestCluster([JobController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.jobs, namespace: "default", job("slow", ["activeDeadlineSeconds": 1]))
        try await c.eventually("DeadlineExceeded", timeout: .seconds(10)) {
            self.condition(try await c.client.get(Self.jobs, namespace: "default", name: "slow"), "Failed")?["reason"]?.string == "DeadlineExceeded"
        }
        try await c.eventually("pods stopped") { try await c.pods().filter(PodHelpers.isActive).isEmpty }
    }

    func testFinishedJobIsDeletedAfterItsTTL() async throws {
        let c = try await TestCluster([JobController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.jobs, namespace: "default", job("once", ["ttlSecondsAfterFinished": 0]))
        try await c.eventually("pod") { try await c.pods().count == 1 }
        try await c.finishPods("Succeeded")
        try await c.eventually("job deleted") {
            try await c.client.getIfExists(Self.jobs, namespace: "default", name: "once") == nil
        }
    }
}
