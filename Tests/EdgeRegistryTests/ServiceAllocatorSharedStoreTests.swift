import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeRegistry

/// Several API servers on one datastore (etcd, PostgreSQL) each have their own allocator: what one
/// server allocated or freed must count on every other, or two Services get one ClusterIP.
final class ServiceAllocatorSharedStoreTests: XCTestCase {
    let services = BuiltinResources.services

    func svc(_ name: String, type: String = "ClusterIP", clusterIP: String? = nil, nodePort: Int64? = nil) -> JSON {
        var port: JSON = ["port": 80]
        if let nodePort { port["nodePort"] = .int(nodePort) }
        var s: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
                       "spec": ["type": .string(type), "ports": [port], "selector": ["app": "x"]]]
        if let clusterIP { s[path: ["spec", "clusterIP"]] = .string(clusterIP) }
        return s
    }

    /// Two servers: each its own catalog (and so its own allocator) over one backend.
    func twoServers() async throws -> (ObjectStore, ObjectStore) {
        let backend = MemoryBackend(sharedWithOtherServers: true)
        let a = try ObjectStore(backend: backend), b = try ObjectStore(backend: backend)
        try await ClusterBootstrap.ensureSystemObjects(a)
        return (a, b)
    }

    func create(_ store: ObjectStore, _ obj: JSON) async throws -> JSON {
        try await store.create(services, namespace: "default", object: obj, context: .apiServer).0
    }

    func testAnAddressOrPortAllocatedOnOneServerIsNotHandedOutByAnother() async throws {
        let (a, b) = try await twoServers()
        // Both servers have served a Service before (their allocators are loaded).
        _ = try await create(a, svc("first-a"))
        _ = try await create(b, svc("first-b"))
        var ips: Set<String> = [], ports: Set<Int64> = []
        for i in 0..<10 {
            let s = try await create(i % 2 == 0 ? a : b, svc("s\(i)", type: "NodePort"))
            ips.insert(s[path: ["spec", "clusterIP"]]?.string ?? "")
            ports.insert(s[path: ["spec", "ports"]]?.array?.first?["nodePort"]?.int ?? 0)
        }
        XCTAssertEqual(ips.count, 10, "every Service its own ClusterIP: \(ips.sorted())")
        XCTAssertEqual(ports.count, 10, "every Service its own nodePort: \(ports.sorted())")
        // Asked for explicitly on the other server: refused as upstream refuses a taken address.
        let taken = try await create(a, svc("explicit", clusterIP: "10.43.7.7", nodePort: 30777))
        XCTAssertEqual(taken[path: ["spec", "clusterIP"]]?.string, "10.43.7.7")
        do {
            _ = try await create(b, svc("same-ip", clusterIP: "10.43.7.7"))
            XCTFail("a ClusterIP allocated on another server was handed out again")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422)
            XCTAssertTrue(e.message.contains("provided IP is already allocated"), e.message)
        }
        do {
            _ = try await create(b, svc("same-port", type: "NodePort", nodePort: 30777))
            XCTFail("a nodePort allocated on another server was handed out again")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422)
        }
    }

    func testAnAddressFreedOnOneServerCanBeTakenOnAnother() async throws {
        let (a, b) = try await twoServers()
        _ = try await create(b, svc("loads-b"))
        _ = try await create(a, svc("dns", clusterIP: "10.43.0.10"))
        do {
            _ = try await create(b, svc("dns-2", clusterIP: "10.43.0.10"))
            XCTFail("a ClusterIP allocated on another server was handed out again")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422)
        }
        _ = try await a.delete(services, namespace: "default", name: "dns", options: DeleteOptions(), context: .apiServer)
        let again = try await create(b, svc("dns", clusterIP: "10.43.0.10"))
        XCTAssertEqual(again[path: ["spec", "clusterIP"]]?.string, "10.43.0.10", "recreated through another server with its address")
    }
}
