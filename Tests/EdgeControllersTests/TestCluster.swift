import XCTest
import EdgeTestSupport
import EdgeAPI
import EdgeAPIServer
import EdgeClient
import EdgeStore
import EdgeInProcess
@testable import EdgeControllers

/// An in-process API server over the memory backend with controllers running
/// against it, for controller tests. `markPodsRunning` plays the node's part.
final class TestCluster: @unchecked Sendable {
    let client: APIClient
    let local: LocalCluster
    let manager: ControllerManager
    var task: Task<Void, Never>?

    init(_ controllers: [any Controller], clock: any ControllerClock = SystemControllerClock()) async throws {
        local = try await LocalCluster()
        client = local.client
        manager = ControllerManager(context: ControllerContext(client: client, informers: SharedInformers(client: client), clock: clock),
                                    controllers: controllers)
    }

    /// A client acting as another user (bootstrappers, nodes).
    func client(as user: UserInfo) -> APIClient { APIClient(transport: InProcessTransport.make(local.service, user: user)) }

    func start() { let m = manager; task = Task { await m.run() } }
    func stop() { task?.cancel() }

    func pods(_ ns: String = "default") async throws -> [JSON] {
        try await client.list(BuiltinResources.pods, namespace: ns).items
    }

    /// What a node would do: bind nowhere-bound pods to `node` and report them Running and Ready.
    func markPodsRunning(_ ns: String = "default", node: String = "node-1") async throws {
        for p in try await pods(ns) where PodHelpers.isActive(p) && !PodHelpers.isReady(p) {
            var s = p
            let now = Timestamp.now().rfc3339
            s[path: ["spec", "nodeName"]] = .string(node)
            let updated = try await client.update(BuiltinResources.pods, s)
            var st = updated
            st["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": .string(now)]]]
            _ = try await client.updateStatus(BuiltinResources.pods, st)
        }
    }

    /// What a node would do when containers exit: active pods end in `phase`
    /// (Succeeded or Failed) with a terminated container status. Returns how many.
    @discardableResult
    func finishPods(_ phase: String, _ ns: String = "default", limit: Int = .max) async throws -> Int {
        var n = 0
        for p in try await pods(ns) where PodHelpers.isActive(p) && n < limit {
            var st = p
            let now = Timestamp.now().rfc3339
            st["status"] = ["phase": .string(phase), "containerStatuses": [["name": "c", "ready": false, "restartCount": 0, "image": "i", "imageID": "",
                            "state": ["terminated": ["exitCode": phase == "Succeeded" ? 0 : 1, "finishedAt": .string(now)]]]]]
            _ = try await client.updateStatus(BuiltinResources.pods, st)
            n += 1
        }
        return n
    }

    func eventually(_ what: String, timeout: Duration = .seconds(10), file: StaticString = #filePath, line: UInt = #line,
                    _ cond: () async throws -> Bool) async throws {
        try await EdgeTestSupport.eventually(what, within: timeout, file: file, line: line, cond)
    }
}
