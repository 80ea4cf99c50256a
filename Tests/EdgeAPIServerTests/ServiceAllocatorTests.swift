import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer
@testable import EdgeRegistry

final class ServiceAllocatorTests: XCTestCase {
    func svc(_ name: String, type: String = "ClusterIP", clusterIP: String? = nil, nodePort: Int64? = nil) -> JSON {
        var port: JSON = ["port": 80]
        if let nodePort { port["nodePort"] = .int(nodePort) }
        var s: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
                       "spec": ["type": .string(type), "ports": [port], "selector": ["app": "x"]]]
        if let clusterIP { s[path: ["spec", "clusterIP"]] = .string(clusterIP) }
        return s
    }

    func testAllocatesDistinctIPsSkippingReservedAndNodePorts() async throws {
        let h = try await APITestHarness()
        var ips: Set<String> = []
        for i in 0..<20 {
            let (code, s) = await h.call("POST", "/api/v1/namespaces/default/services", svc("s\(i)", type: i % 2 == 0 ? "NodePort" : "ClusterIP"))
            XCTAssertEqual(code, 201, "\(s)")
            let ip = s[path: ["spec", "clusterIP"]]?.string ?? ""
            XCTAssertTrue(ip.hasPrefix("10.43."), ip)
            XCTAssertNotEqual(ip, "10.43.0.1")
            XCTAssertNotEqual(ip, "10.43.0.10")
            XCTAssertEqual(s[path: ["spec", "clusterIPs"]], [.string(ip)])
            ips.insert(ip)
            if i % 2 == 0 {
                let np = s[path: ["spec", "ports"]]?.array?.first?["nodePort"]?.int ?? 0
                XCTAssertTrue((30000...32767).contains(np))
            }
        }
        XCTAssertEqual(ips.count, 20)
    }

    func testConflictsAreRefusedWith422AndFreedOnDelete() async throws {
        let h = try await APITestHarness()
        let (c1, _) = await h.call("POST", "/api/v1/namespaces/default/services", svc("a", clusterIP: "10.43.0.10", nodePort: nil))
        XCTAssertEqual(c1, 201, "the DNS address may be asked for explicitly")
        let (c2, s2) = await h.call("POST", "/api/v1/namespaces/default/services", svc("b", clusterIP: "10.43.0.10"))
        XCTAssertEqual(c2, 422)
        XCTAssertTrue(s2["message"]?.string?.contains("provided IP is already allocated") ?? false, "\(s2)")
        let (c3, s3) = await h.call("POST", "/api/v1/namespaces/default/services", svc("c", clusterIP: "192.168.1.1"))
        XCTAssertEqual(c3, 422)
        XCTAssertTrue(s3["message"]?.string?.contains("not in the valid range") ?? false)
        let (c4, _) = await h.call("POST", "/api/v1/namespaces/default/services", svc("d", type: "NodePort", nodePort: 30080))
        XCTAssertEqual(c4, 201)
        let (c5, s5) = await h.call("POST", "/api/v1/namespaces/default/services", svc("e", type: "NodePort", nodePort: 30080))
        XCTAssertEqual(c5, 422)
        XCTAssertTrue(s5["message"]?.string?.contains("provided port is already allocated") ?? false)
        _ = await h.call("DELETE", "/api/v1/namespaces/default/services/a")
        let (c6, _) = await h.call("POST", "/api/v1/namespaces/default/services", svc("b", clusterIP: "10.43.0.10"))
        XCTAssertEqual(c6, 201, "a deleted service's IP is free again")
    }

    func testAllocationsSurviveRestart() async throws {
        let backend = MemoryBackend()
        let store1 = try ObjectStore(backend: backend)
        try await ClusterBootstrap.ensureSystemObjects(store1)
        let r = BuiltinResources.services
        let (a, _) = try await store1.create(r, namespace: "default", object: svc("a"), context: .apiServer)
        // A new store over the same data (a restarted server) must not hand out a's IP again.
        let store2 = try ObjectStore(backend: backend, services: try ServiceAllocator(serviceCIDR: "10.43.0.0/30"))
        let (c1, _) = (try? await store2.create(r, namespace: "default", object: svc("b"), context: .apiServer)) ?? (.null, [])
        _ = c1
        let taken = a[path: ["spec", "clusterIP"]]?.string
        let all = try await store2.list(r, namespace: "default", options: ListOptions()).items
        let ips = all.compactMap { $0[path: ["spec", "clusterIP"]]?.string }
        XCTAssertEqual(Set(ips).count, ips.count, "no address is assigned twice: \(ips), first was \(taken ?? "")")
    }

    func testPodsGetDefaultTolerations() async throws {
        let h = try await APITestHarness()
        let pod: JSON = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["containers": [["name": "c", "image": "i"]]]]
        let (_, p) = await h.call("POST", "/api/v1/namespaces/default/pods", pod)
        let keys = (p[path: ["spec", "tolerations"]]?.array ?? []).compactMap { $0["key"]?.string }
        XCTAssertEqual(keys, ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
        XCTAssertEqual(p[path: ["spec", "tolerations"]]?.array?.first?["tolerationSeconds"]?.int, 300)
    }
}
