import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeAuth

final class EncryptingBackendTests: XCTestCase {
    func testSecretsAreCiphertextInTheStoreAndPlainThroughIt() async throws {
        let raw = MemoryBackend()
        let config = SecretsEncryptionConfig(keys: [SecretsEncryptionConfig.newKey()])
        let b = EncryptingBackend(base: raw, config: config)
        let secret = Array(#"{"data":{"password":"aHVudGVyMg=="}}"#.utf8)
        let rev = try await b.create("/registry/secrets/default/db", value: secret)
        _ = try await b.create("/registry/configmaps/default/c", value: Array("{}".utf8))
        let stored = try await raw.get("/registry/secrets/default/db")
        XCTAssertTrue(stored?.value.starts(with: Array("k8s:enc:aesgcm:v1:".utf8)) ?? false)
        XCTAssertFalse(String(decoding: stored?.value ?? [], as: UTF8.self).contains("aHVudGVyMg"))
        let configMap = try await raw.get("/registry/configmaps/default/c")
        XCTAssertEqual(configMap?.value, Array("{}".utf8), "other kinds pass untouched")
        let read = try await b.get("/registry/secrets/default/db")
        XCTAssertEqual(read?.value, secret)
        let listed = try await b.list(prefix: "/registry/secrets/", revision: 0, startAfter: nil, limit: 0)
        XCTAssertEqual(listed.items.first?.value, secret)
        // A value moved to another key does not decrypt (the key path is authenticated).
        _ = try await raw.create("/registry/secrets/default/copy", value: stored?.value ?? [])
        do { _ = try await b.get("/registry/secrets/default/copy"); XCTFail("a moved value decrypted") } catch {}
        // Rotation: the old key still reads; re-encryption moves everything to the new one.
        let rotated = EncryptingBackend(base: raw, config: config.rotated(now: Timestamp(seconds: 1)))
        _ = try await raw.delete("/registry/secrets/default/copy", expectedRevision: nil)
        let old = try await rotated.get("/registry/secrets/default/db")
        XCTAssertEqual(old?.value, secret)
        let first = try await rotated.reencryptAll()
        XCTAssertEqual(first, 1)
        let again = try await raw.get("/registry/secrets/default/db")
        XCTAssertTrue(again?.value.starts(with: Array("k8s:enc:aesgcm:v1:aesgcmkey-1:".utf8)) ?? false)
        XCTAssertGreaterThan(again?.modRevision ?? 0, rev)
        let second = try await rotated.reencryptAll()
        XCTAssertEqual(second, 0)
        let twice = config.rotated(now: Timestamp(seconds: 5)).rotated(now: Timestamp(seconds: 5))
        XCTAssertEqual(twice.keys.map(\.name).prefix(2), ["aesgcmkey-5-2", "aesgcmkey-5"], "rotations in one second get distinct names")
    }
}
