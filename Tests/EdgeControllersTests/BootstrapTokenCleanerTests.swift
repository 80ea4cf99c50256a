import XCTest
import EdgeAPI
@testable import EdgeControllers

final class BootstrapTokenCleanerTests: XCTestCase {
    func testExpiredTokensAreDeletedOthersKept() async throws {
        let clock = ManualClock()
        let c = try await TestCluster([BootstrapTokenCleaner()], clock: clock)
        let secrets = BuiltinResources.secrets
        let now = clock.now()
        let soon = BootstrapToken(id: "abcdef", secret: "0123456789abcdef")
        let never = BootstrapToken(id: "ghijkl", secret: "0123456789abcdef")
        let later = BootstrapToken(id: "mnopqr", secret: "0123456789abcdef")
        _ = try await c.client.create(secrets, namespace: "kube-system", soon.secretObject(expiration: now.adding(seconds: 30), description: nil))
        _ = try await c.client.create(secrets, namespace: "kube-system", never.secretObject(expiration: nil, description: nil))
        _ = try await c.client.create(secrets, namespace: "kube-system", later.secretObject(expiration: now.adding(seconds: 3600), description: nil))
        c.start()
        defer { c.stop() }
        try await Task.sleep(for: .milliseconds(200))
        let early = try await c.client.list(secrets, namespace: "kube-system").items.count
        XCTAssertEqual(early, 3)
        clock.set(now.adding(seconds: 31))
        _ = try await c.client.mergePatch(secrets, namespace: "kube-system", name: soon.secretName, ["metadata": ["labels": ["poke": "1"]]])
        try await c.eventually("expired token deleted") {
            try await c.client.getIfExists(secrets, namespace: "kube-system", name: soon.secretName) == nil
        }
        let left = try await c.client.list(secrets, namespace: "kube-system").items.compactMap { $0[path: ["metadata", "name"]]?.string }.sorted()
        XCTAssertEqual(left, [never.secretName, later.secretName])
    }

    func testTokenFormat() {
        XCTAssertEqual(BootstrapToken("abcdef.0123456789abcdef")?.id, "abcdef")
        for bad in ["abcdef.0123456789abcde", "ABCDEF.0123456789abcdef", "abcdef0123456789abcdef", "abc.def", "abcdef.0123456789abcdef.x"] {
            XCTAssertNil(BootstrapToken(bad), bad)
        }
        let a = BootstrapToken.generate(), b = BootstrapToken.generate()
        XCTAssertNotNil(BootstrapToken(a.description))
        XCTAssertNotEqual(a, b)
    }
}
