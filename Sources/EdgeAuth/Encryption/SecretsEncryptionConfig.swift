import EdgeAPI
import EdgeTLS

/// The keys that encrypt Secrets at rest, kept in upstream's
/// EncryptionConfiguration format (apiserver.config.k8s.io/v1: `aesgcm` and
/// `aescbc` providers then `identity`, as k3s writes its
/// encryption-config.json): the first key encrypts, with its provider's
/// cipher; every key listed decrypts what it wrote; values stored before
/// encryption was on are read as they are. New keys are AES-GCM.
public struct SecretsEncryptionConfig: Sendable {
    public enum Provider: String, Sendable, Equatable {
        case aesgcm, aescbc

        var prefix: String { "k8s:enc:\(rawValue):v1:" }
    }

    public struct Key: Sendable, Equatable {
        public var name: String
        public var secret: [UInt8]
        public var provider: Provider

        public init(name: String, secret: [UInt8], provider: Provider = .aesgcm) {
            self.name = name
            self.secret = secret
            self.provider = provider
        }
    }

    public var keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    public static func parse(_ bytes: [UInt8]) throws -> SecretsEncryptionConfig {
        let doc = try JSONParser.parse(bytes)
        var keys: [Key] = []
        for r in doc["resources"]?.array ?? [] where (r["resources"]?.array ?? []).contains(.string("secrets")) {
            for p in r["providers"]?.array ?? [] {
                for provider in [Provider.aesgcm, .aescbc] {
                    for k in p[path: [provider.rawValue, "keys"]]?.array ?? [] {
                        guard let name = k["name"]?.string, !name.isEmpty, !name.contains(":"),
                              let secret = k["secret"]?.string.flatMap(Base64.decode), [16, 24, 32].contains(secret.count) else {
                            throw APIError.badRequest("encryption config: every \(provider.rawValue) key needs a name (without ':') and a base64 secret of 16, 24 or 32 bytes")
                        }
                        keys.append(Key(name: name, secret: secret, provider: provider))
                    }
                }
            }
        }
        guard !keys.isEmpty else { throw APIError.badRequest("encryption config: no aesgcm or aescbc key for secrets") }
        return SecretsEncryptionConfig(keys: keys)
    }

    /// Keys in order, one provider entry per run of keys of the same cipher, then identity.
    public var json: JSON {
        var providers: [JSON] = []
        var run: [Key] = []
        func flush() {
            guard let first = run.first else { return }
            let ks: [JSON] = run.map { ["name": .string($0.name), "secret": .string(Base64.encode($0.secret))] }
            providers.append(.object(JSONObject([(first.provider.rawValue, ["keys": .array(ks)])])))
            run = []
        }
        for k in keys {
            if let last = run.last, last.provider != k.provider { flush() }
            run.append(k)
        }
        flush()
        providers.append(["identity": [:]])
        return ["kind": "EncryptionConfiguration", "apiVersion": "apiserver.config.k8s.io/v1",
                "resources": [["resources": ["secrets"], "providers": .array(providers)]]]
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

    /// How a value written under `key` begins: `k8s:enc:aesgcm:v1:NAME:`.
    public static func storedPrefix(_ key: Key) -> [UInt8] { Array((key.provider.prefix + key.name + ":").utf8) }

    /// The first key's prefix, then for AES-GCM nonce, ciphertext and tag (the storage key authenticated with them),
    /// for AES-CBC the IV and the padded ciphertext.
    public func encrypt(_ value: [UInt8], storageKey: String) throws -> [UInt8] {
        let key = keys[0]
        switch key.provider {
        case .aesgcm: return Self.storedPrefix(key) + (try AESGCM.seal(value, key: key.secret, additionalData: Array(storageKey.utf8)))
        case .aescbc: return Self.storedPrefix(key) + (try AESCBC.seal(value, key: key.secret))
        }
    }

    public func decrypt(_ value: [UInt8], storageKey: String) throws -> [UInt8] {
        for provider in [Provider.aesgcm, .aescbc] {
            let p = Array(provider.prefix.utf8)
            guard value.count > p.count, value.starts(with: p) else { continue }
            let rest = value[p.count...]
            guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { throw AESGCM.Failure(description: "malformed encrypted value") }
            let name = String(decoding: rest[rest.startIndex..<colon], as: UTF8.self)
            guard let key = keys.first(where: { $0.name == name && $0.provider == provider }) else {
                throw AESGCM.Failure(description: "no \(provider.rawValue) key named \(name) in the encryption config")
            }
            let sealed = Array(rest[(colon + 1)...])
            switch provider {
            case .aesgcm: return try AESGCM.open(sealed, key: key.secret, additionalData: Array(storageKey.utf8))
            case .aescbc: return try AESCBC.open(sealed, key: key.secret)
            }
        }
        return value  // stored before encryption
    }
}
