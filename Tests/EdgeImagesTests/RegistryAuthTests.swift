import XCTest
import EdgeAPI
@testable import EdgeImages

/// Answering registry challenges: Basic with each credential in turn, Bearer
/// through the token service with the credentials as Basic auth, and failures
/// that name the registry and the refused sources but never a password.
final class RegistryAuthTests: XCTestCase {
    let wrong = RegistryCredential(username: "alice", password: "guess", source: "secret ns/old")
    let right = RegistryCredential(username: "alice", password: "s3cret", source: "secret ns/new")
    static let manifestPath = "/v2/team/app/manifests/v1"
    static let manifest = #"{"schemaVersion":2}"#

    func basic(_ c: RegistryCredential) -> String { "Basic " + Base64.encode(c.username + ":" + c.password) }

    // MARK: the state machine alone

    func testBasicChallengeTriesCredentialsInOrderThenFailsNamingThem() {
        var auth = RegistryAuthState(registry: "reg.example:5000", repository: "team/app", credentials: [wrong, right])
        XCTAssertEqual(auth.challenged(#"Basic realm="reg""#), .retry)
        XCTAssertEqual(auth.authorization, basic(wrong))
        XCTAssertEqual(auth.challenged(#"Basic realm="reg""#), .retry)
        XCTAssertEqual(auth.authorization, basic(right))
        guard case .fail(let message) = auth.challenged(#"Basic realm="reg""#) else { return XCTFail("a third challenge must fail") }
        XCTAssertTrue(message.contains("authentication failed at registry reg.example:5000"), message)
        XCTAssertTrue(message.contains("secret ns/old, secret ns/new"), message)
        XCTAssertFalse(message.contains("s3cret") || message.contains("guess"), "a message must never carry a password")
    }

    func testBasicChallengeWithoutCredentialsSaysWhatToAdd() {
        var auth = RegistryAuthState(registry: "reg.example", repository: "team/app", credentials: [])
        guard case .fail(let message) = auth.challenged(#"Basic realm="reg""#) else { return XCTFail() }
        XCTAssertTrue(message.contains("requires authentication") && message.contains("imagePullSecret") && message.contains("--creds"), message)
    }

    func testBearerChallengeSendsCredentialsToTheTokenServiceAndMovesOnWhenRefused() throws {
        var auth = RegistryAuthState(registry: "reg.example", repository: "team/app", credentials: [wrong, right])
        let challenge = #"Bearer realm="https://auth.example/token",service="reg.example",scope="repository:team/app:pull""#
        guard case .requestToken(let url, let authorization) = auth.challenged(challenge) else { return XCTFail() }
        XCTAssertEqual(url.description, "https://auth.example/token?service=reg.example&scope=repository%3Ateam%2Fapp%3Apull")
        XCTAssertEqual(authorization, basic(wrong))
        XCTAssertEqual(auth.tokenAnswered(status: 401, body: []), .requestToken(url: url, authorization: basic(right)))
        XCTAssertEqual(auth.tokenAnswered(status: 200, body: Array(#"{"access_token":"t-1"}"#.utf8)), .retry)
        XCTAssertEqual(auth.authorization, "Bearer t-1")
        XCTAssertEqual(auth.refused, ["secret ns/old"])
    }

    func testAnExpiredTokenIsRenewedOnceWithTheSameCredential() throws {
        var auth = RegistryAuthState(registry: "reg.example", repository: "team/app", credentials: [right])
        let challenge = #"Bearer realm="https://auth.example/token",service="reg.example""#
        guard case .requestToken = auth.challenged(challenge) else { return XCTFail() }
        XCTAssertEqual(auth.tokenAnswered(status: 200, body: Array(#"{"token":"old"}"#.utf8)), .retry)
        auth.registryAccepted()
        // The token worked, then the registry refuses it: renew with the same credential.
        guard case .requestToken(_, let authorization) = auth.challenged(challenge) else { return XCTFail("an expired token is renewed") }
        XCTAssertEqual(authorization, basic(right))
        XCTAssertEqual(auth.tokenAnswered(status: 200, body: Array(#"{"token":"new"}"#.utf8)), .retry)
        // A fresh token refused at once: the credential lacks access; nothing is left to try.
        guard case .fail(let message) = auth.challenged(challenge) else { return XCTFail() }
        XCTAssertTrue(message.contains("secret ns/new"), message)
    }

    func testAnonymousTokensWhenNoCredentialsAndAClearMessageWhenRefused() {
        var auth = RegistryAuthState(registry: "reg.example", repository: "team/app", credentials: [])
        let challenge = #"Bearer realm="https://auth.example/token""#
        guard case .requestToken(_, let authorization) = auth.challenged(challenge) else { return XCTFail() }
        XCTAssertNil(authorization, "no credentials: an anonymous token")
        guard case .fail(let message) = auth.tokenAnswered(status: 401, body: []) else { return XCTFail() }
        XCTAssertTrue(message.contains("refuses anonymous pulls of team/app"), message)
    }

    func testCredentialsAreNotSentToAPlainHTTPTokenServiceOffLoopback() {
        var auth = RegistryAuthState(registry: "reg.example", repository: "team/app", credentials: [right])
        guard case .fail(let message) = auth.challenged(#"Bearer realm="http://auth.example/token""#) else { return XCTFail() }
        XCTAssertTrue(message.contains("plain HTTP") && message.contains("secret ns/new"), message)
        var loopback = RegistryAuthState(registry: "127.0.0.1:5000", repository: "team/app", credentials: [right])
        guard case .requestToken = loopback.challenged(#"Bearer realm="http://127.0.0.1:5001/token""#) else { return XCTFail("loopback is fine") }
    }

    func testUnknownSchemesAndMissingHeadersAreNamed() {
        var auth = RegistryAuthState(registry: "reg.example", repository: "team/app", credentials: [right])
        guard case .fail(let none) = auth.challenged(nil) else { return XCTFail() }
        XCTAssertTrue(none.contains("no WWW-Authenticate"), none)
        guard case .fail(let other) = auth.challenged("Negotiate") else { return XCTFail() }
        XCTAssertTrue(other.contains("negotiate authentication"), other)
    }

    // MARK: through the client, against a scripted registry

    func testClientPullsAManifestWithTheSecondBasicCredential() async throws {
        let expected = basic(right)
        let registry = ScriptedRegistry { req in
            guard req.url.hasSuffix(Self.manifestPath) else { return .init(status: 404) }
            return req.authorization == expected ? .json(Self.manifest) : .challenge(#"Basic realm="private""#)
        }
        let client = try RegistryClient(reference: try ImageReference.parse("reg.example/team/app:v1"), credentials: [wrong, right], transport: registry)
        let (bytes, _, _) = try await client.manifest("v1")
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), Self.manifest)
        XCTAssertEqual(registry.requests.map(\.authorization), [nil, basic(wrong), basic(right)])
    }

    func testClientFetchesABearerTokenWithCredentialsAndKeepsItForBlobsButNotForRedirects() async throws {
        let tokenBasic = basic(right)
        let registry = ScriptedRegistry { req in
            if req.url.hasPrefix("https://auth.example/token") {
                return req.authorization == tokenBasic ? .json(#"{"token":"tk"}"#) : .init(status: 401)
            }
            if req.url.hasPrefix("https://storage.example/") { return .init(status: 200, body: Array("cfg".utf8)) }
            guard req.authorization == "Bearer tk" else {
                return .challenge(#"Bearer realm="https://auth.example/token",service="reg.example",scope="repository:team/app:pull""#)
            }
            if req.url.hasSuffix(Self.manifestPath) { return .json(Self.manifest) }
            return .init(status: 307, headers: [("Location", "https://storage.example/blob?sig=1")])
        }
        let client = try RegistryClient(reference: try ImageReference.parse("reg.example/team/app:v1"), credentials: [right], transport: registry)
        _ = try await client.manifest("v1")
        let config = Array("cfg".utf8)
        _ = try await client.blob(Descriptor(mediaType: "application/vnd.oci.image.config.v1+json", digest: SHA256.digest(config), size: 3))
        let seen = registry.requests
        XCTAssertEqual(seen.filter { $0.url.hasPrefix("https://auth.example/") }.count, 1, "one token serves the manifest and the blob")
        XCTAssertEqual(seen.first { $0.url.hasPrefix("https://auth.example/") }?.authorization, tokenBasic)
        XCTAssertEqual(seen.first { $0.url.contains("/blobs/") }?.authorization, "Bearer tk")
        XCTAssertNil(seen.first { $0.url.hasPrefix("https://storage.example/") }?.authorization, "blob storage never sees registry credentials")
    }

    func testClientReportsRefusedCredentialsWithoutTheirContents() async throws {
        let registry = ScriptedRegistry { _ in .challenge(#"Basic realm="private""#) }
        let client = try RegistryClient(reference: try ImageReference.parse("reg.example/team/app:v1"), credentials: [wrong], transport: registry)
        do {
            _ = try await client.manifest("v1")
            XCTFail("refused credentials must fail the pull")
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.contains("authentication failed at registry reg.example") && text.contains("secret ns/old"), text)
            XCTAssertFalse(text.contains("guess"))
        }
        XCTAssertEqual(registry.requests.count, 2, "one anonymous try, one with the credential, then stop")
    }
}
