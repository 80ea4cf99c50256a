import XCTest
@testable import EdgeAPI

/// A node's pod range is set once (by node IPAM) and then fixed, as upstream's ValidateNodeUpdate:
/// otherwise a node could claim another node's range and have the others route its pods to it.
final class NodeValidationTests: XCTestCase {
    func node(_ cidr: String?) -> JSON {
        var n: JSON = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"], "spec": [:]]
        if let cidr { n["spec"] = ["podCIDR": .string(cidr), "podCIDRs": [.string(cidr)]] }
        return n
    }

    func errors(_ o: JSON, old: JSON?) -> [String] {
        NodeValidator.validate(o, old: old).map(\.message)
    }

    func testARangeIsAssignedOnceThenFixed() {
        XCTAssertEqual(errors(node("10.42.1.0/24"), old: node(nil)), [], "from none to one is how IPAM assigns it")
        XCTAssertEqual(errors(node("10.42.1.0/24"), old: node("10.42.1.0/24")), [])
        XCTAssertEqual(errors(node("10.42.2.0/24"), old: node("10.42.1.0/24")),
                       ["spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"])
        XCTAssertEqual(errors(node(nil), old: node("10.42.1.0/24")),
                       ["spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"])
    }

    func testARangeMustBeACIDR() {
        XCTAssertEqual(errors(node("10.42.1.0"), old: nil).count, 1)
        XCTAssertEqual(errors(node("10.42.1.0/24"), old: nil), [])
    }
}
