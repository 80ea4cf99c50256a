import XCTest
@testable import EdgeAPIServer
final class EdgeAPIServerPlaceholderTests: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
