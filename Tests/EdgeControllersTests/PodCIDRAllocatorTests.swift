import XCTest
import EdgeAPI
@testable import EdgeControllers

final class PodCIDRAllocatorTests: XCTestCase {
    func cidr(_ s: String) -> IPv4CIDR { IPv4CIDR(s)! }

    func testHandsOutEachRangeOnceThenNothing() throws {
        var a = try PodCIDRAllocator(clusterCIDR: cidr("10.42.0.0/22"))
        var seen = Set<String>()
        for _ in 0..<4 { seen.insert(try XCTUnwrap(a.allocate()).description) }
        XCTAssertEqual(seen, ["10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24", "10.42.3.0/24"])
        XCTAssertNil(a.allocate(), "all four are taken")
        a.release(cidr("10.42.2.0/24"))
        XCTAssertEqual(a.allocate(), cidr("10.42.2.0/24"))
    }

    func testOccupiedRangesAreSkippedAndReleasedOnesNotReusedAtOnce() throws {
        var a = try PodCIDRAllocator(clusterCIDR: cidr("10.42.0.0/16"))
        XCTAssertTrue(a.occupy(cidr("10.42.0.0/24")))
        XCTAssertTrue(a.occupy(cidr("10.42.1.0/24")))
        XCTAssertEqual(a.allocate(), cidr("10.42.2.0/24"))
        a.release(cidr("10.42.2.0/24"))
        // Round-robin: the next search starts after the last one handed out.
        XCTAssertEqual(a.allocate(), cidr("10.42.3.0/24"))
    }

    func testForeignRangesAreNotOccupied() throws {
        var a = try PodCIDRAllocator(clusterCIDR: cidr("10.42.0.0/16"))
        XCTAssertFalse(a.occupy(cidr("10.43.0.0/24")))
        XCTAssertFalse(a.occupy(cidr("10.42.0.0/25")))
        XCTAssertFalse(a.occupy(cidr("10.42.0.5/24")))
        XCTAssertEqual(a.allocatedCount, 0)
    }

    func testRejectsClusterRangesThatCannotHoldNodes() {
        XCTAssertThrowsError(try PodCIDRAllocator(clusterCIDR: cidr("10.42.0.0/25")))
        XCTAssertThrowsError(try PodCIDRAllocator(clusterCIDR: cidr("10.0.0.0/7")), "over 65536 ranges")
        XCTAssertThrowsError(try PodCIDRAllocator(clusterCIDR: cidr("10.42.1.0/16")), "host bits set")
    }
}
