import XCTest
import EdgeAPI
@testable import EdgeControllers

final class EndpointsControllerTests: XCTestCase {
    static let services = BuiltinResources.services
    static let endpoints = BuiltinResources.endpoints
    static let slices = BuiltinResources.endpointSlices
    static let pods = BuiltinResources.pods

    /// Port "http" targets the named container port "web"; "metrics" a number.
    func service(_ name: String, selector: JSON?, publishNotReady: Bool = false) -> JSON {
        var s: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "labels": ["tier": "front"]],
                       "spec": ["ports": [["name": "http", "port": 80, "targetPort": "web"], ["name": "metrics", "port": 9090, "targetPort": 9100]]]]
        if let selector { s[path: ["spec", "selector"]] = selector }
        if publishNotReady { s[path: ["spec", "publishNotReadyAddresses"]] = true }
        return s
    }

    /// A pod as a node reports it: bound, with an IP, ready or not.
    func runPod(_ c: TestCluster, _ name: String, labels: JSON, ready: Bool, portName: String = "web", webPort: Int64 = 8080,
                ip: String) async throws {
        let created = try await c.client.create(Self.pods, namespace: "default", [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": labels],
            "spec": ["nodeName": "n1", "containers": [["name": "c", "image": "i", "ports": [["name": .string(portName), "containerPort": .int(webPort)]]]]]])
        try await setReady(c, created, ready: ready, ip: ip)
    }

    func setReady(_ c: TestCluster, _ pod: JSON, ready: Bool, ip: String) async throws {
        var p = pod
        p["status"] = ["phase": "Running", "podIP": .string(ip), "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]
        _ = try await c.client.updateStatus(Self.pods, p)
    }

    func pod(_ c: TestCluster, _ name: String) async throws -> JSON { try await c.client.get(Self.pods, namespace: "default", name: name) }

    func endpoints(_ c: TestCluster, _ name: String = "web") async throws -> JSON? {
        try await c.client.getIfExists(Self.endpoints, namespace: "default", name: name)
    }

    func ips(_ subsets: JSON?, _ field: String) -> [String] {
        (subsets?.array ?? []).flatMap { ($0[field]?.array ?? []).compactMap { $0["ip"]?.string } }.sorted()
    }

    func portSet(_ ports: JSON?) -> Set<String> {
        Set((ports?.array ?? []).map { "\($0["name"]?.string ?? "")=\($0["port"]?.int ?? 0)/\($0["protocol"]?.string ?? "")" })
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
        _ = try await c.client.create(Self.pods, namespace: "default", [  // selected but no IP yet: skipped
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "pending", "labels": ["app": "web"]],
            "spec": ["containers": [["name": "c", "image": "i"]]]])
        try await c.eventually("2 ready, 1 not ready") {
            let s = try await self.endpoints(c)?["subsets"]
            return self.ips(s, "addresses") == ["10.42.0.2", "10.42.0.3"] && self.ips(s, "notReadyAddresses") == ["10.42.0.4"]
        }
        let ep = try await endpoints(c)!
        XCTAssertEqual(ep["subsets"]?.array?.count, 1, "pods agreeing on ports share one subset")
        let subset = ep["subsets"]!.array![0]
        XCTAssertEqual(portSet(subset["ports"]), ["http=8080/TCP", "metrics=9100/TCP"], "named targetPort resolved through the container port")
        let notReady = subset["notReadyAddresses"]!.array![0]
        let podC = try await pod(c, "c")
        XCTAssertEqual(notReady["nodeName"]?.string, "n1")
        XCTAssertEqual(notReady["targetRef"], ["kind": "Pod", "namespace": "default", "name": "c", "uid": podC[path: ["metadata", "uid"]]!])
        XCTAssertEqual(ep[path: ["metadata", "labels", "tier"]]?.string, "front", "service labels carried over")

        // Changes that do not alter the content are not written.
        let rv = ep[path: ["metadata", "resourceVersion"]]
        _ = try await c.client.mergePatch(Self.pods, namespace: "default", name: "a", ["metadata": ["annotations": ["x": "1"]]])
        _ = try await c.client.mergePatch(Self.pods, namespace: "default", name: "other", ["metadata": ["labels": ["v": "2"]]])
        try await Task.sleep(for: .milliseconds(300))
        let unchanged = try await endpoints(c)?[path: ["metadata", "resourceVersion"]]
        XCTAssertEqual(unchanged, rv, "no write without a content change")

        // c becomes ready; a is deleted; b leaves the selector.
        try await setReady(c, podC, ready: true, ip: "10.42.0.4")
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "a", gracePeriodSeconds: 0)
        _ = try await c.client.mergePatch(Self.pods, namespace: "default", name: "b", ["metadata": ["labels": ["app": "old"]]])
        try await c.eventually("only c, ready") {
            let s = try await self.endpoints(c)?["subsets"]
            return self.ips(s, "addresses") == ["10.42.0.4"] && self.ips(s, "notReadyAddresses").isEmpty
        }
        // A terminating pod (graceful delete, its node still stopping it) is no longer an endpoint.
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "c")
        try await c.eventually("terminating c dropped") {
            let s = try await self.endpoints(c)?["subsets"]
            return s != nil && self.ips(s, "addresses").isEmpty && self.ips(s, "notReadyAddresses").isEmpty
        }
        try await c.client.delete(Self.services, namespace: "default", name: "web")
        try await c.eventually("endpoints removed with the service") { try await self.endpoints(c) == nil }
    }

    func testPublishNotReadyAddressesPutsEveryPodInAddresses() async throws {
        let c = try await TestCluster([EndpointsController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.services, namespace: "default", service("web", selector: ["app": "web"], publishNotReady: true))
        try await runPod(c, "a", labels: ["app": "web"], ready: true, ip: "10.42.0.2")
        try await runPod(c, "b", labels: ["app": "web"], ready: false, ip: "10.42.0.3")
        try await c.eventually("both published") {
            let s = try await self.endpoints(c)?["subsets"]
            return self.ips(s, "addresses") == ["10.42.0.2", "10.42.0.3"] && self.ips(s, "notReadyAddresses").isEmpty
        }
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "b")  // terminating, still published
        try await Task.sleep(for: .milliseconds(200))
        let s = try await endpoints(c)?["subsets"]
        XCTAssertEqual(ips(s, "addresses"), ["10.42.0.2", "10.42.0.3"])
    }

    func testPodsResolvingPortsDifferentlyAndSelectorlessServices() async throws {
        let c = try await TestCluster([EndpointsController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.services, namespace: "default", service("web", selector: ["app": "web"]))
        try await runPod(c, "a", labels: ["app": "web"], ready: true, webPort: 8080, ip: "10.42.0.2")
        try await runPod(c, "b", labels: ["app": "web"], ready: true, webPort: 8081, ip: "10.42.0.3")
        try await runPod(c, "d", labels: ["app": "web"], ready: true, portName: "admin", ip: "10.42.0.5")  // no "web" port
        try await c.eventually("three subsets by port") { try await self.endpoints(c)?["subsets"]?.array?.count == 3 }
        let subsets = try await endpoints(c)!["subsets"]!.array!
        let byIP = Dictionary(uniqueKeysWithValues: subsets.map { (ips(.array([$0]), "addresses").joined(separator: ","), portSet($0["ports"])) })
        XCTAssertEqual(byIP["10.42.0.2"], ["http=8080/TCP", "metrics=9100/TCP"])
        XCTAssertEqual(byIP["10.42.0.3"], ["http=8081/TCP", "metrics=9100/TCP"])
        XCTAssertEqual(byIP["10.42.0.5"], ["metrics=9100/TCP"], "a pod without the named port is left out for that port only")

        // A selectorless service's Endpoints belong to its user: never created, changed or deleted by the controller.
        _ = try await c.client.create(Self.services, namespace: "default", service("external", selector: nil))
        try await Task.sleep(for: .milliseconds(200))
        let none = try await endpoints(c, "external")
        XCTAssertNil(none)
        let manual: JSON = ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "external"],
                            "subsets": [["addresses": [["ip": "192.0.2.10"]], "ports": [["port": 5432]]]]]
        let made = try await c.client.create(Self.endpoints, namespace: "default", manual)
        _ = try await c.client.mergePatch(Self.services, namespace: "default", name: "external", ["metadata": ["annotations": ["touch": "1"]]])
        try await runPod(c, "e", labels: ["app": "web"], ready: true, ip: "10.42.0.6")
        try await Task.sleep(for: .milliseconds(300))
        let kept = try await endpoints(c, "external")
        XCTAssertEqual(kept?["subsets"], manual["subsets"], "user-managed endpoints untouched")
        XCTAssertEqual(kept?[path: ["metadata", "resourceVersion"]], made[path: ["metadata", "resourceVersion"]])
    }

    func slices(_ c: TestCluster, _ svc: String = "web") async throws -> [JSON] {
        try await c.client.list(Self.slices, namespace: "default", labelSelector: "kubernetes.io/service-name=\(svc)").items
    }

    func testEndpointSliceContentConditionsLabelsAndOwner() async throws {
        let c = try await TestCluster([EndpointSliceController()])
        c.start()
        defer { c.stop() }
        let svc = try await c.client.create(Self.services, namespace: "default", service("web", selector: ["app": "web"]))
        try await runPod(c, "a", labels: ["app": "web"], ready: true, ip: "10.42.0.2")
        try await runPod(c, "b", labels: ["app": "web"], ready: false, ip: "10.42.0.3")
        try await c.eventually("slice with two endpoints") { try await self.slices(c).first?["endpoints"]?.array?.count == 2 }
        let all = try await slices(c)
        XCTAssertEqual(all.count, 1)
        let slice = all[0]
        let sliceName = slice[path: ["metadata", "name"]]!.string!
        XCTAssertEqual(slice["addressType"]?.string, "IPv4")
        XCTAssertTrue(sliceName.hasPrefix("web-") && sliceName.count > 4, "generated name")
        XCTAssertEqual(slice[path: ["metadata", "labels", "kubernetes.io/service-name"]]?.string, "web")
        XCTAssertEqual(slice[path: ["metadata", "labels", "endpointslice.kubernetes.io/managed-by"]]?.string, "endpointslice-controller.k8s.io")
        let owners = slice[path: ["metadata", "ownerReferences"]]?.array ?? []
        XCTAssertEqual(owners.count, 1)
        XCTAssertEqual(owners.first?["apiVersion"]?.string, "v1")
        XCTAssertEqual(owners.first?["kind"]?.string, "Service")
        XCTAssertEqual(owners.first?["name"]?.string, "web")
        XCTAssertEqual(owners.first?["uid"], svc[path: ["metadata", "uid"]])
        XCTAssertEqual(owners.first?["controller"]?.bool, true)
        XCTAssertEqual(owners.first?["blockOwnerDeletion"]?.bool, true)
        XCTAssertEqual(portSet(slice["ports"]), ["http=8080/TCP", "metrics=9100/TCP"])
        func byIP(_ s: JSON) -> [String: JSON] {
            Dictionary(uniqueKeysWithValues: (s["endpoints"]?.array ?? []).map { ($0["addresses"]?.array?.first?.string ?? "", $0) })
        }
        let a = byIP(slice)["10.42.0.2"]
        let podA = try await pod(c, "a")
        XCTAssertEqual(a?["conditions"], ["ready": true, "serving": true, "terminating": false])
        XCTAssertEqual(byIP(slice)["10.42.0.3"]?["conditions"], ["ready": false, "serving": false, "terminating": false])
        XCTAssertEqual(a?["nodeName"]?.string, "n1")
        XCTAssertEqual(a?["targetRef"], ["kind": "Pod", "namespace": "default", "name": "a", "uid": podA[path: ["metadata", "uid"]]!])

        // No write without a content change.
        let rv = slice[path: ["metadata", "resourceVersion"]]
        _ = try await c.client.mergePatch(Self.pods, namespace: "default", name: "a", ["metadata": ["annotations": ["x": "1"]]])
        try await Task.sleep(for: .milliseconds(300))
        let unchanged = try await slices(c).first?[path: ["metadata", "resourceVersion"]]
        XCTAssertEqual(unchanged, rv)

        // A terminating pod stays listed: still serving, no longer ready. The slice is updated in place.
        _ = try await c.client.delete(Self.pods, namespace: "default", name: "a")
        try await c.eventually("a terminating") {
            try await self.slices(c).first.map { byIP($0)["10.42.0.2"]?[path: ["conditions", "terminating"]]?.bool == true } ?? false
        }
        var now = try await slices(c)
        XCTAssertEqual(byIP(now[0])["10.42.0.2"]?["conditions"], ["ready": false, "serving": true, "terminating": true])
        XCTAssertEqual(now.map { $0[path: ["metadata", "name"]]?.string }, [sliceName])

        _ = try await c.client.delete(Self.pods, namespace: "default", name: "a", gracePeriodSeconds: 0)
        _ = try await c.client.mergePatch(Self.pods, namespace: "default", name: "b", ["metadata": ["labels": ["app": "old"]]])
        try await c.eventually("no endpoints left") { try await self.slices(c).first?["endpoints"]?.array?.isEmpty == true }
        now = try await slices(c)
        XCTAssertEqual(now.map { $0[path: ["metadata", "name"]]?.string }, [sliceName], "the slice stays, empty")

        try await c.client.delete(Self.services, namespace: "default", name: "web")
        try await c.eventually("slices removed") { try await self.slices(c).isEmpty }
    }

    func testEndpointSlicesSplitByResolvedPortsAndExtrasAreDeleted() async throws {
        let c = try await TestCluster([EndpointSliceController()])
        c.start()
        defer { c.stop() }
        _ = try await c.client.create(Self.services, namespace: "default", service("web", selector: ["app": "web"]))
        try await c.eventually("placeholder slice") { try await self.slices(c).count == 1 }
        let placeholder = try await slices(c)[0]
        XCTAssertEqual(placeholder["endpoints"], [])
        try await runPod(c, "a", labels: ["app": "web"], ready: true, webPort: 8080, ip: "10.42.0.2")
        try await runPod(c, "b", labels: ["app": "web"], ready: true, webPort: 8081, ip: "10.42.0.3")
        try await c.eventually("two slices") {
            let s = try await self.slices(c)
            return s.count == 2 && s.allSatisfy { $0["endpoints"]?.array?.count == 1 }
        }
        let two = try await slices(c)
        XCTAssertTrue(two.contains { $0[path: ["metadata", "name"]] == placeholder[path: ["metadata", "name"]] }, "placeholder reused")
        XCTAssertEqual(Set(two.map { portSet($0["ports"]) }), [["http=8080/TCP", "metrics=9100/TCP"], ["http=8081/TCP", "metrics=9100/TCP"]])

        _ = try await c.client.delete(Self.pods, namespace: "default", name: "b", gracePeriodSeconds: 0)
        try await c.eventually("back to one slice") { try await self.slices(c).count == 1 }
        let one = try await slices(c)[0]
        XCTAssertEqual(portSet(one["ports"]), ["http=8080/TCP", "metrics=9100/TCP"])
        XCTAssertEqual(one["endpoints"]?.array?.count, 1)

        // Removing the selector hands the service to its user: our slices go.
        _ = try await c.client.mergePatch(Self.services, namespace: "default", name: "web", ["spec": ["selector": nil]])
        try await c.eventually("slices removed with the selector") { try await self.slices(c).isEmpty }
    }
}
