import XCTest
import EdgeAPI
@testable import EdgeControllers

final class CronJobControllerTests: XCTestCase {
    static let cronJobs = BuiltinResources.cronJobs
    static let jobs = BuiltinResources.jobs

    func cronJob(_ name: String, schedule: String, policy: String = "Allow", successLimit: Int64 = 3) -> JSON {
        ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name)],
         "spec": ["schedule": .string(schedule), "concurrencyPolicy": .string(policy), "successfulJobsHistoryLimit": .int(successLimit),
                  "jobTemplate": ["spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "busybox"]]]]]]]]
    }

    func jobs(_ c: TestCluster) async throws -> [JSON] { try await c.client.list(Self.jobs, namespace: "default").items }

    func testCreatesOneJobPerScheduledMinuteAndOnlyTheLatestMissedOne() async throws {
        let clock = ManualClock()
        let c = try await TestCluster([CronJobController()], clock: clock)
        c.start()
        defer { c.stop() }
        let created = try await c.client.create(Self.cronJobs, namespace: "default", cronJob("tick", schedule: "* * * * *"))
        let t0 = Timestamp(rfc3339: created[path: ["metadata", "creationTimestamp"]]!.string!)!
        try await Task.sleep(for: .milliseconds(200))
        let early = try await jobs(c).count
        XCTAssertEqual(early, 0, "nothing before the first scheduled minute")

        // Three minutes pass while the controller is not looking: one Job, for the latest time.
        clock.set(t0.adding(seconds: 180))
        _ = try await c.client.mergePatch(Self.cronJobs, namespace: "default", name: "tick", ["metadata": ["labels": ["poke": "1"]]])
        try await c.eventually("first job") { try await self.jobs(c).count == 1 }
        let first = try await jobs(c)[0]
        let due = (t0.seconds / 60 + 3) * 60
        XCTAssertEqual(first[path: ["metadata", "name"]]?.string, "tick-\(due / 60)")
        XCTAssertEqual(first[path: ["metadata", "annotations", "batch.kubernetes.io/cronjob-scheduled-timestamp"]]?.string, Timestamp(seconds: due).rfc3339)
        XCTAssertEqual(PodHelpers.controllerRef(first)?["kind"]?.string, "CronJob")
        try await c.eventually("status") {
            let s = try await c.client.get(Self.cronJobs, namespace: "default", name: "tick")["status"]
            return s?["lastScheduleTime"]?.string == Timestamp(seconds: due).rfc3339 && s?["active"]?.array?.count == 1
        }

        // The next minute, with Allow, runs alongside the first.
        clock.set(Timestamp(seconds: due + 60))
        _ = try await c.client.mergePatch(Self.cronJobs, namespace: "default", name: "tick", ["metadata": ["labels": ["poke": "2"]]])
        try await c.eventually("second job") { try await self.jobs(c).count == 2 }
    }

    func testForbidSkipsWhileAJobRunsAndReplaceSwapsIt() async throws {
        let clock = ManualClock()
        let c = try await TestCluster([CronJobController()], clock: clock)
        c.start()
        defer { c.stop() }
        let created = try await c.client.create(Self.cronJobs, namespace: "default", cronJob("solo", schedule: "*/1 * * * *", policy: "Forbid"))
        let t0 = Timestamp(rfc3339: created[path: ["metadata", "creationTimestamp"]]!.string!)!
        let m1 = (t0.seconds / 60 + 1) * 60
        clock.set(Timestamp(seconds: m1 + 1))
        _ = try await c.client.mergePatch(Self.cronJobs, namespace: "default", name: "solo", ["metadata": ["labels": ["poke": "1"]]])
        try await c.eventually("first job") { try await self.jobs(c).count == 1 }
        clock.set(Timestamp(seconds: m1 + 61))
        _ = try await c.client.mergePatch(Self.cronJobs, namespace: "default", name: "solo", ["metadata": ["labels": ["poke": "2"]]])
        try await c.eventually("schedule handled") {
            try await c.client.get(Self.cronJobs, namespace: "default", name: "solo")[path: ["status", "lastScheduleTime"]]?.string == Timestamp(seconds: m1 + 60).rfc3339
        }
        let forbidden = try await jobs(c).count
        XCTAssertEqual(forbidden, 1, "Forbid skips while the first still runs")

        _ = try await c.client.mergePatch(Self.cronJobs, namespace: "default", name: "solo", ["spec": ["concurrencyPolicy": "Replace"]])
        clock.set(Timestamp(seconds: m1 + 121))
        _ = try await c.client.mergePatch(Self.cronJobs, namespace: "default", name: "solo", ["metadata": ["labels": ["poke": "3"]]])
        try await c.eventually("replaced") {
            let live = try await self.jobs(c).filter { $0[path: ["metadata", "deletionTimestamp"]] == nil }
            return live.map { $0[path: ["metadata", "name"]]?.string ?? "" } == ["solo-\(m1 / 60 + 2)"]
        }
    }

    func testSuccessfulHistoryIsPrunedToTheLimit() async throws {
        let clock = ManualClock()
        let c = try await TestCluster([CronJobController(), JobController()], clock: clock)
        c.start()
        defer { c.stop() }
        let created = try await c.client.create(Self.cronJobs, namespace: "default", cronJob("keep", schedule: "* * * * *", successLimit: 1))
        let t0 = Timestamp(rfc3339: created[path: ["metadata", "creationTimestamp"]]!.string!)!
        for i in 1...3 {
            clock.set(Timestamp(seconds: (t0.seconds / 60 + Int64(i)) * 60 + 1))
            _ = try await c.client.mergePatch(Self.cronJobs, namespace: "default", name: "keep", ["metadata": ["labels": ["poke": .string("\(i)")]]])
            try await c.eventually("pod \(i)") { try await c.pods().filter(PodHelpers.isActive).count == 1 }
            try await c.finishPods("Succeeded")
            try await c.eventually("job \(i) complete") {
                try await self.jobs(c).contains { ($0[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "Complete" } && $0[path: ["metadata", "name"]]?.string == "keep-\(t0.seconds / 60 + Int64(i))" }
            }
        }
        try await c.eventually("only the newest kept") {
            try await self.jobs(c).filter { $0[path: ["metadata", "deletionTimestamp"]] == nil }
                .map { $0[path: ["metadata", "name"]]?.string ?? "" } == ["keep-\(t0.seconds / 60 + 3)"]
        }
    }
}
