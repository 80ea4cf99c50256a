import EdgeAPI
import EdgeAPIServer
import EdgeRegistry
import EdgeInProcess
import XCTest
import EdgeTestSupport
@testable import EdgeControllers

final class APIServerEndpointsReconcilerTests: XCTestCase {
    static let endpoints = BuiltinResources.endpoints

    func addresses(_ cluster: LocalCluster) async throws -> [String] {
        let ep = try await cluster.client.get(Self.endpoints, namespace: "default", name: "kubernetes")
        return (ep["subsets"]?.array ?? []).flatMap { s in
            (s["addresses"]?.array ?? []).map { "\($0["ip"]?.string ?? ""):\(s["ports"]?.array?.first?["port"]?.int ?? 0)" }
        }.sorted()
    }

    func waitFor(_ want: [String], _ cluster: LocalCluster) async throws {
        var got: [String] = []
        let deadline = TestDeadline.after(.seconds(4))
        while ContinuousClock.now < deadline {
            got = try await addresses(cluster)
            if got == want { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("kubernetes Endpoints: want \(want), got \(got)")
    }

    func testEveryLiveServerIsListedAndAServerThatStopsLeaves() async throws {
        let cluster = try await LocalCluster()
        try await ClusterBootstrap.ensureSystemObjects(cluster.store, apiServerIP: "10.0.0.1", apiServerPort: 6443)
        let a = APIServerEndpointsReconciler(client: cluster.client, ip: "10.0.0.1", port: 6443, interval: .milliseconds(50))
        let b = APIServerEndpointsReconciler(client: cluster.client, ip: "10.0.0.2", port: 6443, interval: .milliseconds(50))
        let c = APIServerEndpointsReconciler(client: cluster.client, ip: "127.0.0.1", port: 7443, interval: .milliseconds(50))
        let ta = Task { await a.run() }
        let tb = Task { await b.run() }
        let tc = Task { await c.run() }
        try await waitFor(["10.0.0.1:6443", "10.0.0.2:6443", "127.0.0.1:7443"], cluster)
        tb.cancel()
        await tb.value
        try await waitFor(["10.0.0.1:6443", "127.0.0.1:7443"], cluster)
        ta.cancel()
        tc.cancel()
        await ta.value
        await tc.value
    }

    func testAServerWhoseLeaseExpiredIsDropped() {
        let now = Timestamp(seconds: 1_000_000)
        func lease(_ address: String, renewed: Int64) -> JSON {
            ["metadata": ["annotations": [APIServerEndpointsReconciler.addressAnnotation: .string(address)]],
             "spec": ["renewTime": .string(Timestamp(seconds: renewed).rfc3339Micro), "leaseDurationSeconds": 15]]
        }
        let subsets = APIServerEndpointsReconciler.subsets([lease("10.0.0.1:6443", renewed: 999_995), lease("10.0.0.2:6443", renewed: 999_900)], now: now)
        XCTAssertEqual(subsets, [["addresses": [["ip": "10.0.0.1"]], "ports": [["name": "https", "port": 6443, "protocol": "TCP"]]]])
    }

    /// A server alone on its store (SQLite) lists itself without renewing a Lease (each renewal is a durable
    /// commit an SD card pays for), and removes the leases an earlier shared run left, which list no one.
    func testAServerAloneOnItsStoreListsItselfWithoutALease() async throws {
        let cluster = try await LocalCluster()
        try await ClusterBootstrap.ensureSystemObjects(cluster.store, apiServerIP: "10.0.0.9", apiServerPort: 6443)
        let leases = BuiltinResources.leases
        // A lease from an earlier run, when another server shared the store.
        let earlier = APIServerEndpointsReconciler(client: cluster.client, ip: "10.0.0.2", port: 6443)
        try await earlier.renew()
        let alone = APIServerEndpointsReconciler(client: cluster.client, ip: "10.0.0.1", port: 6443, interval: .milliseconds(20), alone: true)
        let t = Task { await alone.run() }
        try await waitFor(["10.0.0.1:6443"], cluster)
        var left = 1
        for _ in 0..<200 {
            left = try await cluster.client.list(leases, namespace: "kube-system",
                                                 labelSelector: "\(APIServerEndpointsReconciler.identityLabel)=kube-apiserver").items.count
            if left == 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(left, 0, "no apiserver lease is kept by a server alone on its store")
        let before = try await cluster.store.backend.currentRevision()
        try await Task.sleep(for: .milliseconds(300))
        let after = try await cluster.store.backend.currentRevision()
        XCTAssertEqual(after, before, "nothing is written while the Endpoints are right")
        t.cancel()
        await t.value
    }
}
