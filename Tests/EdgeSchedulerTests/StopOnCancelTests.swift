import EdgeAPI
import EdgeControllers
import EdgeInProcess
import Synchronization
import XCTest
@testable import EdgeScheduler

/// A server hands leadership over by cancelling its scheduler and controller manager: both must end.
final class StopOnCancelTests: XCTestCase {
    func ends(within seconds: Double, _ task: Task<Void, Never>) async -> Bool {
        let done = Mutex(false)
        Task { await task.value; done.withLock { $0 = true } }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if done.withLock({ $0 }) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func testSchedulerEndsWhenCancelled() async throws {
        let cluster = try await LocalCluster()
        let t = Task { await Scheduler(client: cluster.client).run() }
        try await Task.sleep(for: .milliseconds(300))
        t.cancel()
        let ended = await ends(within: 5, t)
        XCTAssertTrue(ended, "the scheduler ended")
    }

    func testControllerManagerEndsWhenCancelled() async throws {
        let cluster = try await LocalCluster()
        let manager = ControllerManager(context: ControllerContext(client: cluster.client, informers: SharedInformers(client: cluster.client)),
                                        controllers: [ReplicaSetController(), DeploymentController(), GarbageCollector()])
        let t = Task { await manager.run() }
        try await Task.sleep(for: .milliseconds(300))
        t.cancel()
        let ended = await ends(within: 5, t)
        XCTAssertTrue(ended, "the controller manager ended")
    }
}
