import XCTest
import EdgeAPI
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

final class BootstrapTokenAuthenticatorTests: XCTestCase {
    func request(_ token: String) -> AuthenticationRequest {
        AuthenticationRequest(headers: ["authorization": "Bearer " + token])
    }

    func testTokensAuthenticateAsBootstrappersUntilTheyExpire() async throws {
        let h = try await APITestHarness()
        let auth = BootstrapTokenAuthenticator(store: h.service.store)
        let live = BootstrapToken(id: "abcdef", secret: "0123456789abcdef")
        let old = BootstrapToken(id: "zzzzzz", secret: "0123456789abcdef")
        _ = await h.call("POST", "/api/v1/namespaces/kube-system/secrets", live.secretObject(expiration: Timestamp.now().adding(seconds: 600), description: nil))
        _ = await h.call("POST", "/api/v1/namespaces/kube-system/secrets", old.secretObject(expiration: Timestamp.now().adding(seconds: -1), description: nil))
        let user = try await auth.authenticate(request(live.description))
        XCTAssertEqual(user?.name, "system:bootstrap:abcdef")
        XCTAssertEqual(user?.groups, ["system:bootstrappers", BootstrapToken.defaultGroup, "system:authenticated"])
        for bad in [old.description, "abcdef.ffffffffffffffff", "qqqqqq.0123456789abcdef"] {
            do { _ = try await auth.authenticate(request(bad)); XCTFail("\(bad) accepted") } catch let e as APIError { XCTAssertEqual(e.code, 401) }
        }
        let other = try await auth.authenticate(request("some-static-token"))
        XCTAssertNil(other, "tokens of another shape are left to other authenticators")
    }

    func testClusterInfoIsTheOnlyAnonymousRead() async throws {
        let h = try await APITestHarness()
        try await ClusterBootstrap.publishClusterInfo(h.service.store, caPEM: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n", server: "https://192.0.2.1:6443")
        let (ok, cm) = await h.call("GET", "/api/v1/namespaces/kube-public/configmaps/cluster-info", user: nil)
        XCTAssertEqual(ok, 200)
        XCTAssertTrue(cm[path: ["data", "kubeconfig"]]?.string?.contains("server: https://192.0.2.1:6443") ?? false)
        let (list, _) = await h.call("GET", "/api/v1/namespaces/kube-public/configmaps", user: nil)
        XCTAssertEqual(list, 401)
        let (other, _) = await h.call("GET", "/api/v1/namespaces/kube-system/configmaps/cluster-info", user: nil)
        XCTAssertEqual(other, 401)
    }
}
