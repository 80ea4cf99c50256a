import XCTest
import EdgeAPI
@testable import EdgeControllers

final class EndpointsControllerTests: XCTestCase {
    static let services = TestCluster.r("services")
    static let endpoints = TestCluster.r("endpoints")
    static let slices = TestCluster.r("endpointslices", "discovery.k8s.io")
    static let pods = TestCluster.r("pods")

    func service(_ name: String, selector: JSON?) -> JSON {
        var s: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
                       "spec": ["ports": [["name": "http", "port": 80, "targetPort": "web"], ["name": "metrics", "port": 9090, "targetPort": 9100]]]]
        if let selector { s[path: ["spec", "selector"]] = selector }
        return s
    }

    /// A pod as a node reports it: bound, with an IP, ready or not.
    func runPod(_ c: TestCluster, _ name: String, labels: JSON, ready: Bool, webPort: Int64 = 8080, ip: String) async throws {
        let created = try await c.client.create(Self.pods, namespace: "default", [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": labels],
            "spec": ["nodeName": "n1", "containers": [["name": "c", "image": "i", "ports": [["name": "web", "containerPort": .int(webPort)]]]]]])
        try await setReady(c, created, ready: ready, ip: ip)
    }

    func setReady(_ c: TestCluster, _ pod: JSON, ready: Bool, ip: String) async throws {
        var p = pod
        p["status"] = ["phase": "Running", "podIP": .string(ip), "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]
        _ = try await c.client.updateStatus(Self.pods, p)
    }

    func endpoints(_ c: TestCluster, _ name: String = "web") async throws -> JSON? {
        try await c.client.getIfExists(Self.endpoints, namespace: "default", name: name)
    }

    func ips(_ subsets: JSON?, _ field: String) -> [String] {
        (subsets?.array ?? []).flatMap { ($0[field]?.array ?? []).compactMap { $0["ip"]?.string } }.sorted()
    }

    func testEndpointsFollowPodsReadinessLabelsAndDeletion() async throws {
        let c = try await TestCluster([EndpointsController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.services, namespace: "default", service("web", selector: ["app": "web"]))
        try await runPod(c, "a", labels: ["app": "web"], ready: true, ip: "10.42.0.2")
        try await runPod(c, "b", labels: ["app": "web"], ready: true, ip: "10.42.0.3")
        try await runPod(c, "c", labels: ["app": "web"], ready: false, ip: "10.42.0.4")
        try await runPod(c, "other", labels: ["app": "db"], ready: true, ip: "10.42.0.9")
        try await c.eventually("3 addresses") {
            let s = try await self.endpoints(c)?["subsets"]
            return self.ips(s, "addresses") == ["10.42.0.2", "10.42.0.3"] && self.ips(s, "notReadyAddresses") == ["10.42.0.4"]
        }
        let ep = try await endpoints(c)!
        let subset = ep["subsets"]!.array![0]
        XCTAssertEqual(Set(subset["ports"]!.array!.map { "\($0["name"]!.string!)=\($0["port"]!.int!)" }), ["http=8080", "metrics=9100"],
                       "named targetPort resolved through the container port")
        let address = subset["addresses"]!.array![0]
        XCTAssertEqual(address[path: ["targetRef", "kind"]]?.string, "Pod")
        XCTAssertEqual(address["nodeName"]?.string, "n1")

        // c becomes ready; a is deleted; b leaves the selector.
        try await setReady(c, try await c.client.get(Self.pods, namespace: "default", name: "c"), ready: true, ip: "10.42.0.4")
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "a", gracePeriodSeconds: 0)
        _ = try await c.client.mergePatch(Self.pods, namespace: "default", name: "b", ["metadata": ["labels": ["app": "old"]]])
        try await c.eventually("only c, ready") {
            let s = try await self.endpoints(c)?["subsets"]
            return self.ips(s, "addresses") == ["10.42.0.4"] && self.ips(s, "notReadyAddresses").isEmpty
        }
        try await c.client.delete(Self.services, namespace: "default", name: "web")
        try await c.eventually("endpoints removed with the service") { try await self.endpoints(c) == nil }
    }

    func testPodsWithoutTheNamedPortAreGroupedApartAndSelectorlessServicesAreLeftAlone() async throws {
        let c = try await TestCluster([EndpointsController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.services, namespace: "default", service("web", selector: ["app": "web"]))
        try await runPod(c, "a", labels: ["app": "web"], ready: true, webPort: 8080, ip: "10.42.0.2")
        try await runPod(c, "b", labels: ["app": "web"], ready: true, webPort: 8081, ip: "10.42.0.3")
        try await c.eventually("two subsets by port") { try await self.endpoints(c)?["subsets"]?.array?.count == 2 }

        _ = try await c.client.create(Self.services, namespace: "default", service("external", selector: nil))
        let manual: JSON = ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "external"],
                            "subsets": [["addresses": [["ip": "192.0.2.10"]], "ports": [["port": 5432]]]]]
        _ = try await c.client.create(Self.endpoints, namespace: "default", manual)
        try await Task.sleep(for: .milliseconds(300))
        let kept = try await endpoints(c, "external")
        XCTAssertEqual(kept?["subsets"], manual["subsets"], "user-managed endpoints untouched")
    }

    func testEndpointSliceMirrorsPodsWithConditionsAndOwner() async throws {
        let c = try await TestCluster([EndpointSliceController()])
        c.start()
        defer { c.stop() }
        let svc = try await c.client.create(Self.services, namespace: "default", service("web", selector: ["app": "web"]))
        try await runPod(c, "a", labels: ["app": "web"], ready: true, ip: "10.42.0.2")
        try await runPod(c, "b", labels: ["app": "web"], ready: false, ip: "10.42.0.3")
        func slices() async throws -> [JSON] {
            try await c.client.list(Self.slices, namespace: "default", labelSelector: "kubernetes.io/service-name=web").items
        }
        try await c.eventually("slice with two endpoints") { try await slices().first?["endpoints"]?.array?.count == 2 }
        let all = try await slices()
        XCTAssertEqual(all.count, 1)
        let slice = all[0]
        XCTAssertEqual(slice["addressType"]?.string, "IPv4")
        XCTAssertTrue(slice[path: ["metadata", "name"]]!.string!.hasPrefix("web-"))
        XCTAssertEqual(slice[path: ["metadata", "labels", "endpointslice.kubernetes.io/managed-by"]]?.string, "endpointslice-controller.k8s.io")
        let owner = slice[path: ["metadata", "ownerReferences"]]?.array?.first
        XCTAssertEqual(owner?["kind"]?.string, "Service")
        XCTAssertEqual(owner?["uid"], svc[path: ["metadata", "uid"]])
        XCTAssertEqual(owner?["controller"]?.bool, true)
        let byIP = Dictionary(uniqueKeysWithValues: slice["endpoints"]!.array!.map { ($0["addresses"]!.array![0].string!, $0) })
        XCTAssertEqual(byIP["10.42.0.2"]?[path: ["conditions", "ready"]]?.bool, true)
        XCTAssertEqual(byIP["10.42.0.3"]?[path: ["conditions", "ready"]]?.bool, false)
        XCTAssertEqual(Set(slice["ports"]!.array!.map { "\($0["name"]!.string!)=\($0["port"]!.int!)" }), ["http=8080", "metrics=9100"])

        _ = try await c.client.delete(Self.pods, namespace: "default", name: "a", gracePeriodSeconds: 0)
        try await c.eventually("one endpoint left") { try await slices().first?["endpoints"]?.array?.count == 1 }
        try await c.client.delete(Self.services, namespace: "default", name: "web")
        try await c.eventually("slices removed") { try await slices().isEmpty }
    }
}
