import EdgeAPI
import EdgeClient
import EdgeInProcess
import XCTest
@testable import EdgeNet

/// The proxy against the in-process API server and a fake kernel: objects in,
/// rules out, changes applied within a moment.
final class ServiceProxyTests: XCTestCase {
    static let services = BuiltinResources.services
    static let slices = BuiltinResources.endpointSlices

    func eventually(_ what: String, timeout: Duration = .seconds(5), _ cond: () -> Bool) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if cond() { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("timed out waiting for \(what)")
    }

    func testServicesAndSlicesBecomeRulesAndAChangeIsAppliedPartially() async throws {
        let cluster = try await LocalCluster()
        let kernel = FakeIPTables()
        var config = ServiceProxy.Config(settings: ProxySettings(nodeName: "node1", clusterCIDR: "10.42.0.0/16"))
        config.coalesce = .milliseconds(10)
        let proxy = ServiceProxy(client: cluster.client, iptables: IPTablesClient(runner: kernel, flavour: .nft), config: config)
        let task = Task { await proxy.run() }
        defer { task.cancel() }

        var svc: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default"],
                         "spec": ["ports": [["name": "http", "port": 80, "targetPort": 8080]]]]
        svc = try await cluster.client.create(Self.services, namespace: "default", svc)
        let cip = svc[path: ["spec", "clusterIP"]]?.string ?? ""
        await eventually("a REJECT for the service without endpoints") {
            (kernel.rules("filter", "EDGE-SERVICES") ?? []).contains { $0.contains("-d \(cip)/32") && $0.hasSuffix("-j REJECT") }
        }
        var slice = ServiceRulesTests.slice([("10.42.0.5", "node1", true, true, false)])
        slice["apiVersion"] = "discovery.k8s.io/v1"
        slice["kind"] = "EndpointSlice"
        _ = try await cluster.client.create(Self.slices, namespace: "default", slice)
        await eventually("a DNAT to the endpoint") {
            kernel.chains("nat").contains { c in (kernel.rules("nat", c) ?? []).contains { $0.hasSuffix("--to-destination 10.42.0.5:8080") } }
        }
        XCTAssertEqual(kernel.rules("filter", "EDGE-SERVICES"), [])
        XCTAssertTrue((kernel.rules("nat", "PREROUTING") ?? []).contains { $0.hasSuffix("-j EDGE-SERVICES") })
        XCTAssertTrue(kernel.restores.count >= 2)
        XCTAssertFalse(kernel.restores.last!.contains(":EDGE-POSTROUTING"), "a later sync rewrites only what changed:\n\(kernel.restores.last!)")
    }
}
