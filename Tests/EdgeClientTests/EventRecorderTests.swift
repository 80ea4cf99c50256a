import XCTest
import EdgeAPI
import EdgeInProcess
@testable import EdgeClient

final class EventRecorderTests: XCTestCase {
    func testRepeatsAreCountedOnOneEventAndDistinctOnesKeptApart() async throws {
        let client = try await LocalCluster().client
        let pods = BuiltinResources.pods
        let pod = try await client.create(pods, namespace: "default", ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                                                                        "spec": ["containers": [["name": "c", "image": "i"]]]])
        let recorder = EventRecorder(client: client, component: "default-scheduler")
        for _ in 0..<3 { await recorder.record(pod, type: "Warning", reason: "FailedScheduling", message: "0/1 nodes are available: 1 Insufficient cpu.") }
        await recorder.record(pod, reason: "Scheduled", message: "Successfully assigned default/p to n1")
        let events = try await client.list(BuiltinResources.events, namespace: "default").items
        XCTAssertEqual(events.count, 2)
        let failed = try XCTUnwrap(events.first { $0["reason"]?.string == "FailedScheduling" })
        XCTAssertEqual(failed["count"]?.int, 3)
        XCTAssertEqual(failed["type"]?.string, "Warning")
        XCTAssertEqual(failed[path: ["involvedObject", "name"]]?.string, "p")
        XCTAssertEqual(failed[path: ["involvedObject", "uid"]], pod[path: ["metadata", "uid"]])
        XCTAssertEqual(failed[path: ["source", "component"]]?.string, "default-scheduler")
    }
}
