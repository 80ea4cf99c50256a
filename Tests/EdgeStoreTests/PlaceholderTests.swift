import XCTest
@testable import EdgeStore
final class EdgeStorePlaceholderTests: XCTestCase { func testModuleLoads() { XCTAssertTrue(true) } }
