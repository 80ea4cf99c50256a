import XCTest
import EdgeAPI
import EdgeTLS
@testable import EdgeAPIServer
@testable import EdgeAuth

final class ServiceAccountTokenTests: XCTestCase {
    static let key = try! PKI.generateKey()
    let tokens = ServiceAccountTokens(keyPEM: ServiceAccountTokenTests.key)

    func harness() async throws -> APITestHarness {
        let h = try await APITestHarness(serviceAccountTokens: tokens)
        let (code, _) = await h.call("POST", "/api/v1/namespaces/default/serviceaccounts",
                                     ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "robot"]])
        XCTAssertEqual(code, 201)
        return h
    }

    func requestToken(_ h: APITestHarness, _ spec: JSON = [:], account: String = "robot") async -> (Int, JSON) {
        await h.call("POST", "/api/v1/namespaces/default/serviceaccounts/\(account)/token",
                     ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec])
    }

    func bearer(_ h: APITestHarness, _ token: String) async -> (Int, JSON) {
        let req = AuthenticationRequest(headers: ["authorization": "Bearer " + token])
        let auth = ServiceAccountTokenAuthenticator(tokens: tokens, store: h.service.store)
        do {
            guard let user = try await auth.authenticate(req) else { return (0, .null) }
            return (200, ["name": .string(user.name), "groups": .array(user.groups.map { .string($0) })])
        } catch let e as APIError { return (e.code, .null) } catch { return (-1, .null) }
    }

    func testTokenRequestIssuesATokenThatAuthenticatesAsTheAccount() async throws {
        let h = try await harness()
        let (code, resp) = await requestToken(h)
        XCTAssertEqual(code, 201, "\(resp)")
        XCTAssertEqual(resp["kind"]?.string, "TokenRequest")
        XCTAssertEqual(resp[path: ["spec", "expirationSeconds"]]?.int, 3600)
        XCTAssertEqual(resp[path: ["spec", "audiences"]], [.string(ServiceAccountTokens.issuer)])
        let token = try XCTUnwrap(resp[path: ["status", "token"]]?.string)
        let exp = try XCTUnwrap(resp[path: ["status", "expirationTimestamp"]]?.string.flatMap(Timestamp.init(rfc3339:)))
        XCTAssertEqual(exp.seconds - Timestamp.now().seconds, 3600, accuracy: 5)
        let (ok, user) = await bearer(h, token)
        XCTAssertEqual(ok, 200)
        XCTAssertEqual(user["name"]?.string, "system:serviceaccount:default:robot")
        XCTAssertEqual(user["groups"], ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
        let claims = try XCTUnwrap(tokens.verifiedClaims(token))
        XCTAssertEqual(claims["sub"]?.string, "system:serviceaccount:default:robot")
        XCTAssertEqual(claims[path: ["kubernetes.io", "namespace"]]?.string, "default")
    }

    func testTamperedForeignAndMalformedTokens() async throws {
        let h = try await harness()
        let issued = await requestToken(h).1
        let token = try XCTUnwrap(issued[path: ["status", "token"]]?.string)
        var parts = token.split(separator: ".").map(String.init)
        // Swap in claims for another account, keeping the signature.
        var claims = try XCTUnwrap(tokens.verifiedClaims(token))
        claims[path: ["kubernetes.io", "serviceaccount", "name"]] = "default"
        parts[1] = ServiceAccountTokens.segment(JSONSerializer.serialize(claims))
        let (forged, _) = await bearer(h, parts.joined(separator: "."))
        XCTAssertEqual(forged, 0, "a token whose signature does not verify is not ours: the next authenticator decides")
        let other = ServiceAccountTokens(keyPEM: try PKI.generateKey())
        let foreign = try other.issue(namespace: "default", name: "robot", uid: "x", audiences: ServiceAccountTokens.apiAudiences, seconds: 600)
        let (f, _) = await bearer(h, foreign)
        XCTAssertEqual(f, 0)
        let (m, _) = await bearer(h, "not.a.jwt")
        XCTAssertEqual(m, 0)
    }

    func testExpiredWrongAudienceAndDeletedAccountAreRejected() async throws {
        let h = try await harness()
        let sa = await h.call("GET", "/api/v1/namespaces/default/serviceaccounts/robot").1
        let uid = sa[path: ["metadata", "uid"]]!.string!
        let expired = try tokens.issue(namespace: "default", name: "robot", uid: uid, audiences: ServiceAccountTokens.apiAudiences,
                                       seconds: 600, now: Timestamp.now().adding(seconds: -700))
        let (e, _) = await bearer(h, expired)
        XCTAssertEqual(e, 401)
        let vault = try tokens.issue(namespace: "default", name: "robot", uid: uid, audiences: ["vault"], seconds: 600)
        let (a, _) = await bearer(h, vault)
        XCTAssertEqual(a, 401, "a token for another audience does not open the API")
        let issued = await requestToken(h).1
        let good = try XCTUnwrap(issued[path: ["status", "token"]]?.string)
        _ = await h.call("DELETE", "/api/v1/namespaces/default/serviceaccounts/robot")
        let (d, _) = await bearer(h, good)
        XCTAssertEqual(d, 401, "tokens die with their account")
        // Same name again: a new uid, the old token stays dead.
        _ = await h.call("POST", "/api/v1/namespaces/default/serviceaccounts", ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "robot"]])
        let (again, _) = await bearer(h, good)
        XCTAssertEqual(again, 401)
    }

    func testBoundPodTokenDiesWithThePod() async throws {
        let h = try await harness()
        let (plain, defaulted) = await h.call("POST", "/api/v1/namespaces/default/pods",
                                              ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "plain"], "spec": ["containers": [["name": "c", "image": "i"]]]])
        XCTAssertEqual(plain, 201)
        XCTAssertEqual(defaulted[path: ["spec", "serviceAccountName"]]?.string, "default", "pods default to the default account")
        let (other, refused) = await requestToken(h, ["boundObjectRef": ["kind": "Pod", "apiVersion": "v1", "name": "plain"]])
        XCTAssertEqual(other, 400, "a token bound to a pod speaks only for the pod's own account: \(refused)")
        let (pc, pod) = await h.call("POST", "/api/v1/namespaces/default/pods",
                                     ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                                      "spec": ["serviceAccountName": "robot", "containers": [["name": "c", "image": "i"]]]])
        XCTAssertEqual(pc, 201)
        let (code, resp) = await requestToken(h, ["boundObjectRef": ["kind": "Pod", "apiVersion": "v1", "name": "p"], "expirationSeconds": 600])
        XCTAssertEqual(code, 201)
        XCTAssertEqual(resp[path: ["spec", "boundObjectRef", "uid"]], pod[path: ["metadata", "uid"]])
        let token = try XCTUnwrap(resp[path: ["status", "token"]]?.string)
        let (ok, _) = await bearer(h, token)
        XCTAssertEqual(ok, 200)
        _ = await h.call("DELETE", "/api/v1/namespaces/default/pods/p?gracePeriodSeconds=0")
        let (gone, _) = await bearer(h, token)
        XCTAssertEqual(gone, 401)
    }

    func testInvalidTokenRequests() async throws {
        let h = try await harness()
        let (short, body) = await requestToken(h, ["expirationSeconds": 60])
        XCTAssertEqual(short, 422)
        XCTAssertEqual(body["reason"]?.string, "Invalid")
        XCTAssertEqual(body[path: ["details", "causes"]]?.array?.first?["field"]?.string, "spec.expirationSeconds")
        let (missing, _) = await requestToken(h, [:], account: "nobody")
        XCTAssertEqual(missing, 404)
        let (badKind, _) = await requestToken(h, ["boundObjectRef": ["kind": "Node", "name": "n"]])
        XCTAssertEqual(badKind, 422)
        let (noPod, _) = await requestToken(h, ["boundObjectRef": ["kind": "Pod", "name": "ghost"]])
        XCTAssertEqual(noPod, 404)
        let plain = try await APITestHarness()
        let (unsupported, _) = await plain.call("POST", "/api/v1/namespaces/default/serviceaccounts/default/token", ["kind": "TokenRequest"])
        XCTAssertEqual(unsupported, 405)
    }
}
