import XCTest
@testable import EdgeAPIServer

final class MasterGroupAuthorizerTests: XCTestCase {
    let authorizer = MasterGroupAuthorizer()
    let node = UserInfo(name: "system:node:pi-1", groups: ["system:nodes", "system:authenticated"])
    let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])

    func allowed(_ user: UserInfo, _ path: String, method: String = "GET") async -> Bool {
        await authorizer.authorize(user, RequestInfo.parse(method: method, path: path, query: [:]), path: path).allowed
    }

    func testAuthenticatedUsersReadDiscoveryAndOpenAPI() async {
        for path in ["/api", "/api/v1", "/apis", "/apis/apps/v1", "/openapi/v2", "/openapi/v3", "/openapi/v3/api/v1"] {
            let ok = await allowed(node, path)
            XCTAssertTrue(ok, path)
        }
    }

    func testDiscoveryDoesNotOpenResources() async {
        var ok = await allowed(node, "/apis/apps/v1/deployments")
        XCTAssertFalse(ok, "a resource path is a resource request, judged by the Node authorizer before this one")
        ok = await allowed(node, "/metrics")
        XCTAssertFalse(ok)
        ok = await allowed(anonymous, "/openapi/v2")
        XCTAssertFalse(ok, "anonymous callers get no schema, as upstream binds system:discovery to authenticated users")
        ok = await allowed(anonymous, "/api")
        XCTAssertFalse(ok)
    }
}
