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

    /// An aescbc value as upstream writes it (IV, then AES-256-CBC of the PKCS#7-padded bytes), made with Python's cryptography.
    static let cbcVector: [UInt8] = [16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 170, 218, 227, 153, 161, 133, 208, 180, 55,
                                     89, 51, 91, 45, 227, 107, 177, 155, 22, 6, 11, 188, 178, 89, 141, 30, 83, 221, 188, 118, 42, 227, 13]

    func testAnAESCBCConfigurationAsK3sWritesItIsReadAndUsed() async throws {
        let key = Base64.encode(Array(0..<32))
        let config = try SecretsEncryptionConfig.parse(Array("""
        {"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[
         {"aescbc":{"keys":[{"name":"aescbckey","secret":"\(key)"}]}},{"aesgcm":{"keys":[{"name":"old-gcm","secret":"\(key)"}]}},{"identity":{}}]}]}
        """.utf8))
        XCTAssertEqual(config.keys.map(\.provider), [.aescbc, .aesgcm])
        let raw = MemoryBackend()
        let b = EncryptingBackend(base: raw, config: config)
        _ = try await raw.create("/registry/secrets/default/upstream", value: Array("k8s:enc:aescbc:v1:aescbckey:".utf8) + Self.cbcVector)
        let read = try await b.get("/registry/secrets/default/upstream")
        XCTAssertEqual(read?.value, Array(#"{"data":{"k":"djE="}}"#.utf8))
        let secret = Array(#"{"data":{"password":"aHVudGVyMg=="}}"#.utf8)
        _ = try await b.create("/registry/secrets/default/db", value: secret)
        let stored = try await raw.get("/registry/secrets/default/db")
        XCTAssertTrue(stored?.value.starts(with: Array("k8s:enc:aescbc:v1:aescbckey:".utf8)) ?? false)
        XCTAssertFalse(String(decoding: stored?.value ?? [], as: UTF8.self).contains("aHVudGVyMg"))
        let back = try await b.get("/registry/secrets/default/db")
        XCTAssertEqual(back?.value, secret)
        // Written out again, the providers keep their order and ciphers.
        let again = try SecretsEncryptionConfig.parse(JSONSerializer.serialize(config.json))
        XCTAssertEqual(again.keys, config.keys)
        // Another key does not open it.
        let wrong = SecretsEncryptionConfig(keys: [.init(name: "aescbckey", secret: Array(repeating: 7, count: 32), provider: .aescbc)])
        XCTAssertThrowsError(try wrong.decrypt(stored?.value ?? [], storageKey: "/registry/secrets/default/db"))
    }
}
