import EdgeAPI
import XCTest
@testable import EdgeNet

/// The decisions both proxy modes spell out: one place, so iptables and nftables cannot drift.
final class ServicePortDecisionsTests: XCTestCase {
    let podNetwork = IPv4Block("10.42.0.0/16")

    func decisions(policy: String, endpoints: [(String, String, Bool, Bool, Bool)], podNetwork: IPv4Block?) -> ServicePortDecisions {
        let svc = ServiceRulesTests.service(type: "NodePort", extra: ["externalTrafficPolicy": .string(policy)],
                                            ports: [["name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080]])
        let port = ProxyServicePort.ports(of: svc)[0]
        let eps = ProxyEndpoint.endpoints(for: port, slices: [ServiceRulesTests.slice(endpoints)], nodeName: "node1")
        return ServicePortDecisions(port, eps, podNetwork: podNetwork)
    }

    func testLocalPolicyLetsPodsAndTheNodeUseEveryEndpointAndPinsOutsideClientsToLocalOnes() throws {
        let block = try XCTUnwrap(podNetwork)
        let d = decisions(policy: "Local", endpoints: [("10.42.0.5", "node1", true, true, false), ("10.42.1.5", "node2", true, true, false)],
                          podNetwork: block)
        XCTAssertEqual(d.externalSteps, [.podTrafficToClusterChain(podNetwork: block), .masqueradeNodeTraffic, .nodeTrafficToClusterChain,
                                         .toExternalPolicyChain])
        XCTAssertTrue(d.externalUsesLocalChain)
        XCTAssertTrue(d.usesCluster && d.usesLocal && d.usesExt && d.hasExternal)
    }

    func testLocalPolicyWithoutThePodRangeCannotTellPodTrafficApart() {
        let d = decisions(policy: "Local", endpoints: [("10.42.0.5", "node1", true, true, false)], podNetwork: nil)
        XCTAssertEqual(d.externalSteps, [.masqueradeNodeTraffic, .nodeTrafficToClusterChain, .toExternalPolicyChain])
    }

    func testLocalPolicyWithEndpointsOnlyElsewhereHasNoExternalEndpointsButStaysReachableFromInside() {
        let d = decisions(policy: "Local", endpoints: [("10.42.1.5", "node2", true, true, false)], podNetwork: podNetwork)
        XCTAssertTrue(d.hasEndpoints)
        XCTAssertFalse(d.hasExternal, "outside clients are dropped (no local endpoint)")
        XCTAssertEqual(d.externalSteps.last, .nodeTrafficToClusterChain, "no jump to the empty local chain")
    }

    func testClusterPolicyMasqueradesEverythingAndUsesEveryEndpoint() {
        let d = decisions(policy: "Cluster", endpoints: [("10.42.1.5", "node2", true, true, false)], podNetwork: podNetwork)
        XCTAssertEqual(d.externalSteps, [.masqueradeAll, .toExternalPolicyChain])
        XCTAssertFalse(d.externalUsesLocalChain)
        XCTAssertFalse(d.usesLocal)
    }

    func testNoUsableEndpointWritesNoExternalChain() {
        let d = decisions(policy: "Cluster", endpoints: [("10.42.1.5", "node2", false, false, false)], podNetwork: podNetwork)
        XCTAssertFalse(d.hasEndpoints)
        XCTAssertFalse(d.usesExt)
        XCTAssertEqual(d.externalSteps, [])
    }
}
