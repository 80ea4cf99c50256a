import XCTest
import EdgeAPI
@testable import EdgeAPIServer

/// Create and update answers carry the int32 status fields upstream's Go types always serialise (no
/// omitempty) as 0: the official Python client refuses a DaemonSet, ReplicaSet, StatefulSet,
/// ReplicationController or HorizontalPodAutoscaler whose status lacks them.
final class StatusZeroFieldsTests: XCTestCase {
    static let template: JSON = ["metadata": ["labels": ["app": "a"]], "spec": ["containers": [["name": "c", "image": "busybox"]]]]
    static let selector: JSON = ["matchLabels": ["app": "a"]]

    func created(_ h: APITestHarness, _ path: String, _ obj: JSON) async -> JSON {
        let (code, body) = await h.call("POST", path, obj)
        XCTAssertEqual(code, 201, "\(body)")
        return body["status"] ?? .null
    }

    func testWorkloadsAndAutoscalersAreCreatedWithTheirAlwaysSentCounts() async throws {
        let h = try await APITestHarness()
        let ds = await created(h, "/apis/apps/v1/namespaces/default/daemonsets",
                               ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "d"],
                                "spec": ["selector": Self.selector, "template": Self.template]])
        XCTAssertEqual(ds, ["currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0])
        let rs = await created(h, "/apis/apps/v1/namespaces/default/replicasets",
                               ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "r"],
                                "spec": ["selector": Self.selector, "template": Self.template]])
        XCTAssertEqual(rs, ["replicas": 0])
        let sts = await created(h, "/apis/apps/v1/namespaces/default/statefulsets",
                                ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "s"],
                                 "spec": ["selector": Self.selector, "template": Self.template, "serviceName": "s"]])
        XCTAssertEqual(sts, ["replicas": 0, "availableReplicas": 0])
        let rc = await created(h, "/api/v1/namespaces/default/replicationcontrollers",
                               ["apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "rc"],
                                "spec": ["template": Self.template]])
        XCTAssertEqual(rc, ["replicas": 0])
        let hpa = await created(h, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
                                ["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "h"],
                                 "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"], "maxReplicas": 3]])
        XCTAssertEqual(hpa, ["desiredReplicas": 0])
    }

    func testAStatusWriteThatLeavesThemOutStillAnswersThem() async throws {
        let h = try await APITestHarness()
        var rs = await h.call("POST", "/apis/apps/v1/namespaces/default/replicasets",
                              ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "r"],
                               "spec": ["selector": Self.selector, "template": Self.template]]).1
        rs["status"] = ["readyReplicas": 0, "observedGeneration": 1]
        let (code, updated) = await h.call("PUT", "/apis/apps/v1/namespaces/default/replicasets/r/status", rs)
        XCTAssertEqual(code, 200)
        XCTAssertEqual(updated[path: ["status", "replicas"]], 0)
        XCTAssertEqual(updated[path: ["status", "observedGeneration"]], 1)
    }
}
