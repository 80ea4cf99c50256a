import XCTest
import EdgeAPI
@testable import EdgeAgent

/// Pull secrets as the kubelet reads them: both secret types, `auth` or
/// username/password, registry keys matched against images as upstream's
/// keyring does, and credentials offered in secret order.
final class PullSecretKeyringTests: XCTestCase {
    func secret(_ name: String, type: String = "kubernetes.io/dockerconfigjson", key: String = ".dockerconfigjson", _ document: String) -> JSON {
        ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": "ns"], "type": .string(type),
         "data": .object(JSONObject([(key, .string(Base64.encode(document)))]))]
    }

    func auth(_ user: String, _ pass: String) -> String { Base64.encode(user + ":" + pass) }

    // MARK: parsing

    func testDockerConfigJSONWithAuthOrUsernameAndPassword() throws {
        let doc = #"{"auths":{"reg.example:5000":{"auth":"\#(auth("alice", "pa:ss"))"},"other.example":{"username":"bob","password":"pw"}}}"#
        let parsed = try DockerConfigAuths.parse(Array(doc.utf8), wrapped: true)
        XCTAssertEqual(parsed.entries, [.init(key: "reg.example:5000", username: "alice", password: "pa:ss"),
                                        .init(key: "other.example", username: "bob", password: "pw")],
                       "the password keeps its colons; only the first separates the username")
    }

    func testAuthFieldWinsOverUsernameAndPassword() throws {
        let doc = #"{"auths":{"r.example":{"username":"x","password":"y","auth":"\#(auth("alice", "pw"))"}}}"#
        XCTAssertEqual(try DockerConfigAuths.parse(Array(doc.utf8), wrapped: true).entries.first?.username, "alice")
    }

    func testLegacyDockercfgHasNoWrapper() throws {
        let doc = #"{"https://index.docker.io/v1/":{"auth":"\#(auth("hub", "pw"))","email":"a@b.c"}}"#
        XCTAssertEqual(try DockerConfigAuths.parse(Array(doc.utf8), wrapped: false).entries,
                       [.init(key: "https://index.docker.io/v1/", username: "hub", password: "pw")])
    }

    func testMalformedDocumentsNameTheProblemButNotTheValue() {
        XCTAssertThrowsError(try DockerConfigAuths.parse(Array("nope".utf8), wrapped: true)) { XCTAssertTrue("\($0)".contains("not JSON")) }
        XCTAssertThrowsError(try DockerConfigAuths.parse(Array(#"{"r":{}}"#.utf8), wrapped: true)) { XCTAssertTrue("\($0)".contains("no \"auths\"")) }
        let noColon = Base64.encode("secretvalue")
        XCTAssertThrowsError(try DockerConfigAuths.parse(Array(#"{"auths":{"r.example":{"auth":"\#(noColon)"}}}"#.utf8), wrapped: true)) {
            XCTAssertTrue("\($0)".contains("entry r.example") && !"\($0)".contains("secretvalue"), "\($0)")
        }
    }

    // MARK: host matching

    func testKeysMatchHostAndPortExactlyWhateverSchemeOrAPIPath() {
        let image = "127.0.0.1:5000/busybox:latest"
        for key in ["127.0.0.1:5000", "https://127.0.0.1:5000", "http://127.0.0.1:5000/", "127.0.0.1:5000/v2/", "https://127.0.0.1:5000/v1/"] {
            XCTAssertTrue(RegistryKeyPattern(key: key).matches(image: image), key)
        }
        for key in ["127.0.0.1", "127.0.0.1:5001", "127.0.0.2:5000", "localhost:5000"] {
            XCTAssertFalse(RegistryKeyPattern(key: key).matches(image: image), key)
        }
        XCTAssertFalse(RegistryKeyPattern(key: "reg.example:443").matches(image: "reg.example/app"), "a port in the key needs the same port in the image")
        XCTAssertTrue(RegistryKeyPattern(key: "[::1]:5000").matches(image: "[::1]:5000/app"))
        XCTAssertTrue(RegistryKeyPattern(key: "Reg.Example").matches(image: "reg.example/app"), "host names are case-insensitive")
    }

    func testKeyPathsArePrefixesOfTheRepository() {
        let key = RegistryKeyPattern(key: "reg.example/team")
        XCTAssertTrue(key.matches(image: "reg.example/team/app:v1"))
        XCTAssertFalse(key.matches(image: "reg.example/other/app:v1"))
    }

    func testWildcardLabelsMatchOneLabelEach() {
        let key = RegistryKeyPattern(key: "*.example.com")
        XCTAssertTrue(key.matches(image: "registry.example.com/app"))
        XCTAssertFalse(key.matches(image: "example.com/app"), "a wildcard stands for a label, it cannot vanish")
        XCTAssertFalse(key.matches(image: "a.b.example.com/app"))
        XCTAssertTrue(RegistryKeyPattern(key: "reg-?.example.com").matches(image: "reg-1.example.com/app"))
        XCTAssertTrue(RegistryKeyPattern.glob("r*y", "registry"))
        XCTAssertFalse(RegistryKeyPattern.glob("r*x", "registry"))
    }

    func testDockerHubImagesMatchHubKeysUnderAnyOfItsNames() {
        for key in ["https://index.docker.io/v1/", "docker.io", "registry-1.docker.io"] {
            XCTAssertTrue(RegistryKeyPattern(key: key).matches(image: "busybox"), key)
            XCTAssertTrue(RegistryKeyPattern(key: key).matches(image: "team/app:v1"), key)
            XCTAssertTrue(RegistryKeyPattern(key: key).matches(image: "docker.io/team/app"), key)
        }
        XCTAssertFalse(RegistryKeyPattern(key: "team").matches(image: "team/app"), "team/ is a Hub namespace, not a host")
        XCTAssertFalse(RegistryKeyPattern(key: "index.docker.io").matches(image: "quay.io/app"))
    }

    // MARK: the keyring

    func testCredentialsComeInSecretOrderMostSpecificKeyFirst() throws {
        var keyring = PullSecretKeyring()
        try keyring.add(secret: secret("a", #"{"auths":{"reg.example":{"auth":"\#(auth("a-host", "1"))"},"reg.example/team":{"auth":"\#(auth("a-team", "2"))"},"other.example":{"auth":"\#(auth("x", "3"))"}}}"#))
        try keyring.add(secret: secret("b", type: "kubernetes.io/dockercfg", key: ".dockercfg", #"{"https://reg.example":{"auth":"\#(auth("b-host", "4"))"}}"#))
        try keyring.add(secret: secret("opaque", type: "Opaque", key: ".dockerconfigjson", #"{"auths":{"reg.example":{"auth":"\#(auth("never", "5"))"}}}"#))
        let creds = keyring.credentials(for: "reg.example/team/app:v1")
        XCTAssertEqual(creds.map(\.username), ["a-team", "a-host", "b-host"], "an Opaque secret holds no registry credentials")
        XCTAssertEqual(creds.map(\.source), ["secret ns/a", "secret ns/a", "secret ns/b"])
        XCTAssertEqual("\(creds[0])", "secret ns/a", "printing a credential shows where it came from, nothing more")
        XCTAssertTrue(keyring.credentials(for: "unrelated.example/app").isEmpty, "no match: the pull is anonymous")
    }

    func testAMalformedSecretIsNamed() {
        var keyring = PullSecretKeyring()
        XCTAssertThrowsError(try keyring.add(secret: secret("broken", #"{"auths":[]}"#))) {
            XCTAssertTrue("\($0)".contains("secret ns/broken") && "\($0)".contains("kubectl create secret docker-registry"), "\($0)")
        }
    }
}
