import EdgeAPI
import EdgeAuth

/// The server's secrets encryption keys: `DATA/cred/encryption-config.json`
/// (0600, in a 0700 directory), as k3s keeps them. Made on the first start with
/// `--secrets-encryption`; once it exists it is always used, so secrets
/// written encrypted stay readable.
enum SecretsEncryptionFile {
    static func path(dataDir: String) -> String { dataDir + "/cred/encryption-config.json" }

    /// The config to use: nil when encryption was never turned on.
    static func load(dataDir: String, enable: Bool) throws -> SecretsEncryptionConfig? {
        let p = path(dataDir: dataDir)
        if FileSystem.exists(p) { return try SecretsEncryptionConfig.parse(Array(try FileSystem.read(p).utf8)) }
        guard enable else { return nil }
        let config = SecretsEncryptionConfig(keys: [SecretsEncryptionConfig.newKey()])
        try save(config, dataDir: dataDir)
        return config
    }

    static func save(_ config: SecretsEncryptionConfig, dataDir: String) throws {
        try FileSystem.makeDirectories(dataDir + "/cred", mode: 0o700)
        try FileSystem.write(path(dataDir: dataDir), String(decoding: JSONSerializer.serialize(config.json), as: UTF8.self), mode: 0o600)
    }
}
