import XCTest
@testable import EdgeImages

final class ImageReferenceTests: XCTestCase {
    func testNormalizationFollowsDockerDefaults() {
        let cases = [
            ("busybox", "docker.io/library/busybox:latest"),
            ("busybox:1.36", "docker.io/library/busybox:1.36"),
            ("library/busybox", "docker.io/library/busybox:latest"),
            ("rancher/pause:3.6", "docker.io/rancher/pause:3.6"),
            ("docker.io/busybox", "docker.io/library/busybox:latest"),
            ("index.docker.io/library/busybox:1", "docker.io/library/busybox:1"),
            ("127.0.0.1:5000/x:1", "127.0.0.1:5000/x:1"),
            ("127.0.0.1:5000/x", "127.0.0.1:5000/x:latest"),
            ("localhost/pause", "localhost/pause:latest"),
            ("[::1]:5000/a/b:c", "[::1]:5000/a/b:c"),
            ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
            ("busybox@sha256:" + String(repeating: "a", count: 64), "docker.io/library/busybox@sha256:" + String(repeating: "a", count: 64)),
            ("q.io/x:1@sha256:" + String(repeating: "b", count: 64), "q.io/x:1@sha256:" + String(repeating: "b", count: 64)),
        ]
        for (input, expected) in cases { XCTAssertEqual(ImageStore.normalize(input), expected, input) }
    }

    func testInvalidReferencesAreRefusedWithTheReason() {
        XCTAssertThrowsError(try ImageReference.parse("Busybox")) { XCTAssertTrue("\($0)".contains("lowercase")) }
        XCTAssertThrowsError(try ImageReference.parse("busybox@sha256:abc")) { XCTAssertTrue("\($0)".contains("invalid digest")) }
        XCTAssertThrowsError(try ImageReference.parse(""))
        XCTAssertEqual(ImageStore.normalize("Not Valid"), "Not Valid")
    }

    func testLoopbackRegistriesUsePlainHTTP() throws {
        XCTAssertTrue(try ImageReference.parse("127.0.0.1:5000/x").usesPlainHTTP)
        XCTAssertTrue(try ImageReference.parse("localhost:5000/x").usesPlainHTTP)
        XCTAssertTrue(try ImageReference.parse("[::1]:5000/x").usesPlainHTTP)
        XCTAssertFalse(try ImageReference.parse("busybox").usesPlainHTTP)
        XCTAssertEqual(try ImageReference.parse("busybox").endpointHost, "registry-1.docker.io")
    }

    func testAuthChallengeKeepsCommasInsideQuotes() {
        let c = AuthChallenge.parse(#"Bearer realm="http://127.0.0.1:9/token",service="reg",scope="repository:a/b:pull,push""#)
        XCTAssertEqual(c?.scheme, "bearer")
        XCTAssertEqual(c?.parameters["realm"], "http://127.0.0.1:9/token")
        XCTAssertEqual(c?.parameters["service"], "reg")
        XCTAssertEqual(c?.parameters["scope"], "repository:a/b:pull,push")
    }

    func testURLsResolveRedirects() throws {
        let u = try RegistryURL.parse("http://[::1]:5000/v2/x/blobs/sha256:1")
        XCTAssertEqual(u.host, "::1")
        XCTAssertEqual(u.port, 5000)
        XCTAssertEqual(u.authority, "[::1]:5000")
        XCTAssertEqual(try u.resolve("/other?a=1").description, "http://[::1]:5000/other?a=1")
        XCTAssertEqual(try u.resolve("https://s3.example/bucket/k").description, "https://s3.example/bucket/k")
        XCTAssertEqual(RegistryURL.queryEscape("repository:a/b:pull"), "repository%3Aa%2Fb%3Apull")
    }
}
