import EdgeAPI
import EdgeTLS

/// The keys that encrypt Secrets at rest, kept in upstream's
/// EncryptionConfiguration format (apiserver.config.k8s.io/v1, one `aesgcm`
/// provider then `identity`, as k3s writes its encryption-config.json): the
/// first key encrypts; every key listed decrypts what it wrote; values stored
/// before encryption was on are read as they are.
public struct SecretsEncryptionConfig: Sendable {
    public struct Key: Sendable, Equatable {
        public var name: String
        public var secret: [UInt8]
    }

    public var keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    public static func parse(_ bytes: [UInt8]) throws -> SecretsEncryptionConfig {
        let doc = try JSONParser.parse(bytes)
        var keys: [Key] = []
        for r in doc["resources"]?.array ?? [] where (r["resources"]?.array ?? []).contains(.string("secrets")) {
            for p in r["providers"]?.array ?? [] {
                for k in p[path: ["aesgcm", "keys"]]?.array ?? [] {
                    guard let name = k["name"]?.string, let secret = k["secret"]?.string.flatMap(Base64.decode), [16, 24, 32].contains(secret.count) else {
                        throw APIError.badRequest("encryption config: every aesgcm key needs a name and a base64 secret of 16, 24 or 32 bytes")
                    }
                    keys.append(Key(name: name, secret: secret))
                }
            }
        }
        guard !keys.isEmpty else { throw APIError.badRequest("encryption config: no aesgcm key for secrets") }
        return SecretsEncryptionConfig(keys: keys)
    }

    public var json: JSON {
        let ks: [JSON] = keys.map { ["name": .string($0.name), "secret": .string(Base64.encode($0.secret))] }
        return ["kind": "EncryptionConfiguration", "apiVersion": "apiserver.config.k8s.io/v1",
                "resources": [["resources": ["secrets"], "providers": [["aesgcm": ["keys": .array(ks)]], ["identity": [:]]]]]]
    }

    /// A fresh 32-byte key named after the time it was made.
    public static func newKey(now: Timestamp = .now()) -> Key {
        var rng = SystemRandomNumberGenerator()
        return Key(name: "aesgcmkey-\(now.seconds)", secret: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// Rotation: a new key first (it encrypts from now on), the old ones kept to read what they wrote.
    public func rotated(now: Timestamp = .now()) -> SecretsEncryptionConfig {
        var key = Self.newKey(now: now)
        // Two rotations within a second must still name their keys apart: the name picks the key to decrypt with.
        var n = 2
        let base = key.name
        while keys.contains(where: { $0.name == key.name }) {
            key.name = "\(base)-\(n)"
            n += 1
        }
        return SecretsEncryptionConfig(keys: [key] + keys)
    }

    static let prefix = "k8s:enc:aesgcm:v1:"

    /// `k8s:enc:aesgcm:v1:NAME:` then nonce, ciphertext and tag; the storage key is authenticated with it.
    public func encrypt(_ value: [UInt8], storageKey: String) throws -> [UInt8] {
        let key = keys[0]
        return Array((Self.prefix + key.name + ":").utf8) + (try AESGCM.seal(value, key: key.secret, additionalData: Array(storageKey.utf8)))
    }

    public func decrypt(_ value: [UInt8], storageKey: String) throws -> [UInt8] {
        let p = Array(Self.prefix.utf8)
        guard value.count > p.count, Array(value[0..<p.count]) == p else { return value }  // stored before encryption
        let rest = value[p.count...]
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { throw AESGCM.Failure(description: "malformed encrypted value") }
        let name = String(decoding: rest[rest.startIndex..<colon], as: UTF8.self)
        guard let key = keys.first(where: { $0.name == name }) else {
            throw AESGCM.Failure(description: "no key named \(name) in the encryption config")
        }
        return try AESGCM.open(Array(rest[(colon + 1)...]), key: key.secret, additionalData: Array(storageKey.utf8))
    }
}
