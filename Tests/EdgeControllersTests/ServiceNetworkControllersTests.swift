import XCTest
import EdgeAPI
@testable import EdgeControllers

/// servicelb's ingress addresses and the kube-dns endpoints, both from Nodes.
final class ServiceNetworkControllersTests: XCTestCase {
    static let services = BuiltinResources.services
    static let nodes = BuiltinResources.nodes
    static let slices = BuiltinResources.endpointSlices

    func addNode(_ c: TestCluster, _ name: String, ip: String, external: String? = nil, ready: Bool = true) async throws {
        let created = try await c.client.create(Self.nodes, namespace: nil, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)]])
        try await setStatus(c, created, ip: ip, external: external, ready: ready)
    }

    func setStatus(_ c: TestCluster, _ node: JSON, ip: String, external: String? = nil, ready: Bool) async throws {
        var n = node
        var addresses: [JSON] = [["type": "InternalIP", "address": .string(ip)], ["type": "Hostname", "address": n[path: ["metadata", "name"]] ?? ""]]
        if let external { addresses.append(["type": "ExternalIP", "address": .string(external)]) }
        n["status"] = ["addresses": .array(addresses), "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]]
        _ = try await c.client.updateStatus(Self.nodes, n)
    }

    func ingress(_ c: TestCluster, _ name: String) async throws -> [String] {
        let s = try await c.client.get(Self.services, namespace: "default", name: name)
        return (s[path: ["status", "loadBalancer", "ingress"]]?.array ?? []).compactMap { $0["ip"]?.string }
    }

    func testLoadBalancerServicesGetEveryReadyNodesAddress() async throws {
        let c = try await TestCluster([ServiceLoadBalancerController()])
        c.start()
        defer { c.stop() }
        try await addNode(c, "n2", ip: "10.250.0.12")
        try await addNode(c, "n1", ip: "10.250.0.11", external: "198.51.100.7")
        try await addNode(c, "n3", ip: "10.250.0.13", ready: false)
        _ = try await c.client.create(Self.services, namespace: "default", [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "lb"],
            "spec": ["type": "LoadBalancer", "ports": [["port": 80]]]])
        _ = try await c.client.create(Self.services, namespace: "default", [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "other-class"],
            "spec": ["type": "LoadBalancer", "loadBalancerClass": "example.com/lb", "ports": [["port": 80]]]])
        try await c.eventually("ingress of the ready nodes, ExternalIP preferred") {
            try await self.ingress(c, "lb") == ["10.250.0.12", "198.51.100.7"]
        }
        // A node becoming Ready joins; one going away leaves.
        let n3 = try await c.client.get(Self.nodes, namespace: nil, name: "n3")
        try await setStatus(c, n3, ip: "10.250.0.13", ready: true)
        try await c.eventually("n3 added") { try await self.ingress(c, "lb") == ["10.250.0.12", "10.250.0.13", "198.51.100.7"] }
        _ = try await c.client.delete(Self.nodes, namespace: nil, name: "n2")
        try await c.eventually("n2 removed") { try await self.ingress(c, "lb") == ["10.250.0.13", "198.51.100.7"] }
        let other = try await ingress(c, "other-class")
        XCTAssertEqual(other, [], "another implementation's service is left alone")
    }

    func testKubeDNSEndpointsListEveryNodesListener() async throws {
        let c = try await TestCluster([ClusterDNSEndpointsController()])
        c.start()
        defer { c.stop() }
        try await addNode(c, "b", ip: "10.250.0.12")
        try await addNode(c, "a", ip: "10.250.0.11", ready: false)
        func slice() async throws -> JSON? {
            try await c.client.getIfExists(Self.slices, namespace: "kube-system", name: ClusterDNSEndpointsController.sliceName)
        }
        try await c.eventually("a slice with both nodes") {
            ((try await slice())?["endpoints"]?.array ?? []).count == 2
        }
        let s = try await slice()!
        XCTAssertEqual(s[path: ["metadata", "labels", "kubernetes.io/service-name"]]?.string, "kube-dns")
        XCTAssertEqual((s["endpoints"]?.array ?? []).map { $0["nodeName"]?.string ?? "" }, ["a", "b"])
        XCTAssertEqual((s["endpoints"]?.array ?? []).map { $0["addresses"]?.array?.first?.string ?? "" }, ["10.250.0.11", "10.250.0.12"])
        XCTAssertEqual(s["ports"], [["name": "dns", "port": 10053, "protocol": "UDP"], ["name": "dns-tcp", "port": 10053, "protocol": "TCP"]])
        _ = try await c.client.delete(Self.nodes, namespace: nil, name: "b")
        try await c.eventually("b gone") { ((try await slice())?["endpoints"]?.array ?? []).count == 1 }
    }
}
