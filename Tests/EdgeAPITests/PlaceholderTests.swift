import XCTest
@testable import EdgeAPI
final class EdgeAPIPlaceholderTests: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
