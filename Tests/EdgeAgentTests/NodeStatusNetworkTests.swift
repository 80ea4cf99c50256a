import XCTest
import EdgeAPI
import EdgeNet
@testable import EdgeAgent

/// The pod network's state on the Node: Ready False with upstream's "network not ready" message while
/// it is down, NetworkUnavailable as flannel sets it, and a NetworkUnavailable of someone else's kept.
final class NodeStatusNetworkTests: XCTestCase {
    let facts = NodeFacts(cpuCores: 4, memoryBytes: 4 << 30, memoryAvailableBytes: 3 << 30, diskBytes: 1000, diskAvailableBytes: 500,
                          pidsMax: 32768, pidsInUse: 200, kernelVersion: "6.1", osImage: "Debian", architecture: "arm64", machineID: "m",
                          bootID: "b", internalIP: "192.0.2.1", hostname: "pi")

    func condition(_ status: JSON, _ type: String) -> JSON? {
        (status["conditions"]?.array ?? []).first { $0["type"]?.string == type }
    }

    func testUpNetworkIsReadyWithFlannelsCondition() {
        let s = NodeStatusBuilder.status(facts, runtimeVersion: "edgectl://0", now: .now(), previous: nil, network: NetworkReadiness(
            ready: true, unavailable: .init(status: false, reason: "FlannelIsUp", message: "Flannel is running on this node")))
        XCTAssertEqual(condition(s, "Ready")?["status"]?.string, "True")
        XCTAssertEqual(condition(s, "NetworkUnavailable")?["status"]?.string, "False")
        XCTAssertEqual(condition(s, "NetworkUnavailable")?["reason"]?.string, "FlannelIsUp")
        XCTAssertEqual(condition(s, "NetworkUnavailable")?["message"]?.string, "Flannel is running on this node")
    }

    func testDownNetworkMakesTheNodeNotReady() {
        let s = NodeStatusBuilder.status(facts, runtimeVersion: "edgectl://0", now: .now(), previous: nil, network: NetworkReadiness(
            ready: false, message: "Network plugin returns error: no vxlan support",
            unavailable: .init(status: true, reason: "NetworkSetupFailed", message: "no vxlan support")))
        let ready = condition(s, "Ready")
        XCTAssertEqual(ready?["status"]?.string, "False")
        XCTAssertEqual(ready?["reason"]?.string, "KubeletNotReady")
        XCTAssertEqual(ready?["message"]?.string,
                       "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: no vxlan support")
        XCTAssertEqual(condition(s, "NetworkUnavailable")?["status"]?.string, "True")
    }

    func testACNIsConditionIsKeptAndNoNetworkMeansNoCondition() {
        let calico: JSON = ["conditions": [["type": "NetworkUnavailable", "status": "False", "reason": "CalicoIsUp", "message": "Calico is running on this node"]]]
        let s = NodeStatusBuilder.status(facts, runtimeVersion: "edgectl://0", now: .now(), previous: calico, network: NetworkReadiness(ready: true))
        XCTAssertEqual(condition(s, "NetworkUnavailable")?["reason"]?.string, "CalicoIsUp")
        let none = NodeStatusBuilder.status(facts, runtimeVersion: "edgectl://0", now: .now(), previous: nil)
        XCTAssertNil(condition(none, "NetworkUnavailable"))
        XCTAssertEqual(condition(none, "Ready")?["status"]?.string, "True")
    }
}
