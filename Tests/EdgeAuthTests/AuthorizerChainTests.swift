import XCTest
import EdgeAPI
@testable import EdgeAuth

final class AuthorizerChainTests: XCTestCase {
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
