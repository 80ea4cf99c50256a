import XCTest
import EdgeAPI
@testable import EdgeAuth

final class AuthenticationRequestTests: XCTestCase {
    func testBearerTokenIsReadFromEitherCaseOfTheScheme() {
        XCTAssertEqual(AuthenticationRequest(headers: ["authorization": "Bearer  abc "]).bearerToken, "abc")
        XCTAssertEqual(AuthenticationRequest(headers: ["authorization": "bearer abc"]).bearerToken, "abc")
        XCTAssertNil(AuthenticationRequest(headers: ["authorization": "Basic abc"]).bearerToken)
        XCTAssertNil(AuthenticationRequest().bearerToken)
    }
}
