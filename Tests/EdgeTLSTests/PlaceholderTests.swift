import XCTest
@testable import EdgeTLS
final class EdgeTLSPlaceholderTests: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
