import XCTest
import EdgeTestSupport
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

    func testServersAllocatingInTheSameInstantNeverHandOutOneAddressTwice() async throws {
        let (a, b) = try await twoServers()
        // Forty creates at once, half through each server: each server's allocator reads the store before
        // the others' writes land, so only the claims keep two Services off one address or port.
        let services = self.services
        let objects = (0..<40).map { svc("race\($0)", type: "NodePort") }
        let made = try await withThrowingTaskGroup(of: JSON.self) { group in
            for (i, obj) in objects.enumerated() {
                let store = i % 2 == 0 ? a : b
                group.addTask { try await store.create(services, namespace: "default", object: obj, context: .apiServer).0 }
            }
            var out: [JSON] = []
            for try await s in group { out.append(s) }
            return out
        }
        let ips = made.compactMap { $0[path: ["spec", "clusterIP"]]?.string }
        let ports = made.compactMap { $0[path: ["spec", "ports"]]?.array?.first?["nodePort"]?.int }
        XCTAssertEqual(Set(ips).count, 40, "one ClusterIP each: \(ips.sorted())")
        XCTAssertEqual(Set(ports).count, 40, "one nodePort each: \(ports.sorted())")
    }

    func testClaimsGoWithTheirServiceAndAStaleOneIsTakenOver() async throws {
        let (a, b) = try await twoServers()
        let backend = a.backend
        let s = try await create(a, svc("claimed", type: "NodePort", clusterIP: "10.43.5.5", nodePort: 30555))
        let uid = s[path: ["metadata", "uid"]]?.string ?? ""
        for key in [AllocationClaims.key(ip: ServiceAllocator.parseIPv4("10.43.5.5")!), AllocationClaims.key(port: 30555)] {
            let claim = try await backend.get(key)
            XCTAssertEqual(claim.flatMap { try? JSONParser.parse($0.value) }?["service"]?.string, uid, key)
        }
        _ = try await b.delete(services, namespace: "default", name: "claimed", options: DeleteOptions(), context: .apiServer)
        try await eventually("the deleted Service's claims are given back") {
            try await backend.list(prefix: AllocationClaims.prefix, revision: 0, startAfter: nil, limit: 0).items.isEmpty
        }
        // A claim whose server died before writing its Service: refused while fresh, taken over once stale.
        let fresh = JSONSerializer.serialize(["service": "gone-uid", "since": .int(Timestamp.now().seconds)])
        _ = try await backend.create(AllocationClaims.key(ip: ServiceAllocator.parseIPv4("10.43.6.6")!), value: fresh)
        do {
            _ = try await create(b, svc("fresh", clusterIP: "10.43.6.6"))
            XCTFail("an address another server claimed a moment ago was handed out")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422)
            XCTAssertTrue(e.message.contains("provided IP is already allocated"), e.message)
        }
        let stale = JSONSerializer.serialize(["service": "gone-uid", "since": .int(Timestamp.now().seconds - AllocationClaims.staleAfter - 1)])
        _ = try await backend.create(AllocationClaims.key(ip: ServiceAllocator.parseIPv4("10.43.6.7")!), value: stale)
        let taken = try await create(a, svc("stale", clusterIP: "10.43.6.7"))
        XCTAssertEqual(taken[path: ["spec", "clusterIP"]]?.string, "10.43.6.7")
    }
}
