import EdgeAPI
import EdgeInProcess
import Synchronization
import XCTest
import EdgeTestSupport
@testable import EdgeClient

final class LeaderElectorTests: XCTestCase {
    static let fast = LeaderElector.Timing(leaseDuration: .milliseconds(600), renewDeadline: .milliseconds(400), retryPeriod: .milliseconds(100))

    /// A client whose every call fails while `dead` is set: a server that died or was cut off.
    final class Switch: Sendable {
        let on = Mutex(false)
        func set() { on.withLock { $0 = true } }
        var isSet: Bool { on.withLock { $0 } }
    }

    static func severable(_ client: APIClient) -> (APIClient, Switch) {
        let dead = Switch()
        let t = FunctionTransport(send: { req in
            if dead.isSet { throw APIError(code: 503, reason: "ServiceUnavailable", message: "cut off") }
            return try await client.transport.send(req)
        }, stream: { req in try await client.transport.stream(req) })
        return (APIClient(transport: t), dead)
    }

    /// Who leads, sampled: never two at once.
    final class Leaders: Sendable {
        let current = Mutex<Set<String>>([])
        let overlap = Mutex(false)
        let history = Mutex<[String]>([])
        func lead(_ id: String) async {
            current.withLock { c in
                if !c.isEmpty { overlap.withLock { $0 = true } }
                c.insert(id)
            }
            history.withLock { $0.append(id) }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            current.withLock { _ = $0.remove(id) }
        }
        var now: Set<String> { current.withLock { $0 } }
    }

    func testOneLeaderAtATimeAndACancelledLeaderHandsOverAtOnce() async throws {
        let cluster = try await LocalCluster()
        let leaders = Leaders()
        let a = LeaderElector(client: cluster.client, name: "kube-scheduler", identity: "a", timing: Self.fast)
        let b = LeaderElector(client: cluster.client, name: "kube-scheduler", identity: "b", timing: Self.fast)
        let ta = Task { await a.run { await leaders.lead("a") } }
        try await eventually("a to lead") { leaders.now == ["a"] }
        let tb = Task { await b.run { await leaders.lead("b") } }
        try await Task.sleep(for: .milliseconds(900))
        XCTAssertEqual(leaders.now, ["a"], "b does not take a lease that is renewed")
        ta.cancel()
        await ta.value
        try await eventually("b to lead after a released") { leaders.now == ["b"] }
        let lease = try await cluster.client.get(LeaderElector.leases, namespace: "kube-system", name: "kube-scheduler")
        XCTAssertEqual(lease[path: ["spec", "holderIdentity"]]?.string, "b")
        XCTAssertEqual(lease[path: ["spec", "leaseTransitions"]]?.int, 1, "a's release then b's acquisition")
        tb.cancel()
        await tb.value
        XCTAssertFalse(leaders.overlap.withLock { $0 }, "never two leaders at once")
    }

    func testADeadLeaderStopsLeadingAndAnotherTakesOverAfterTheLeaseExpires() async throws {
        let cluster = try await LocalCluster()
        let leaders = Leaders()
        let (aClient, aDead) = Self.severable(cluster.client)
        let a = LeaderElector(client: aClient, name: "kube-controller-manager", identity: "a", timing: Self.fast)
        let b = LeaderElector(client: cluster.client, name: "kube-controller-manager", identity: "b", timing: Self.fast)
        let ta = Task { await a.run { await leaders.lead("a") } }
        try await eventually("a to lead") { leaders.now == ["a"] }
        let tb = Task { await b.run { await leaders.lead("b") } }
        aDead.set()
        try await eventually("b to take over") { leaders.now == ["b"] }
        XCTAssertFalse(a.isLeader, "a stepped down when it could not renew")
        XCTAssertEqual(leaders.history.withLock { $0 }, ["a", "b"])
        XCTAssertFalse(leaders.overlap.withLock { $0 }, "a stopped before b started")
        ta.cancel()
        tb.cancel()
        await ta.value
        await tb.value
    }
}
