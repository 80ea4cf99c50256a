import XCTest
import EdgeAPI
@testable import EdgeAuth

/// The static rules kept as authorizer steps until RBAC replaces them (privileged groups, then
/// upstream's bootstrap roles), with the Node authorizer left out: what they allow alone.
final class BootstrapPolicyAuthorizerTests: XCTestCase {
    let authorizer = AuthorizerChain([PrivilegedGroupAuthorizer(), BootstrapPolicyAuthorizer()])
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

    func testMastersMayDoAnythingAndBootstrappersOnlyTheirRequests() async {
        let admin = UserInfo(name: "admin", groups: ["system:masters", "system:authenticated"])
        var ok = await allowed(admin, "/api/v1/namespaces/kube-system/secrets", method: "DELETE")
        XCTAssertTrue(ok)
        let joiner = UserInfo(name: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:authenticated"])
        ok = await allowed(joiner, "/apis/certificates.k8s.io/v1/certificatesigningrequests", method: "POST")
        XCTAssertTrue(ok)
        ok = await allowed(joiner, "/api/v1/namespaces/kube-public/configmaps/cluster-info")
        XCTAssertTrue(ok)
        ok = await allowed(joiner, "/api/v1/namespaces/kube-system/secrets")
        XCTAssertFalse(ok)
        ok = await allowed(joiner, "/api/v1/nodes/pi-1")
        XCTAssertTrue(ok, "kubeadm:get-nodes: a joining machine checks that its name is free")
        ok = await allowed(joiner, "/api/v1/nodes")
        XCTAssertFalse(ok, "one Node by name, not the list")
        ok = await allowed(joiner, "/api/v1/nodes/pi-1", method: "DELETE")
        XCTAssertFalse(ok)
    }

    func testTheChainStopsAtTheFirstAllowOrDenyAndJoinsTheReasonsOfNoOpinions() async {
        struct Fixed: Authorizer {
            let decision: AuthorizationDecision
            func authorize(_ user: UserInfo, _ info: RequestInfo?, path: String) async -> AuthorizationDecision { decision }
        }
        let user = UserInfo(name: "u", groups: [])
        var d = await AuthorizerChain([Fixed(decision: .noOpinion("a")), Fixed(decision: .deny("no")), Fixed(decision: .allow)])
            .authorize(user, nil, path: "/x")
        XCTAssertEqual(d, .deny("no"))
        d = await AuthorizerChain([Fixed(decision: .noOpinion("a")), Fixed(decision: .noOpinion("")), Fixed(decision: .noOpinion("b"))])
            .authorize(user, nil, path: "/x")
        XCTAssertEqual(d, .noOpinion("a\nb"))
    }
}
