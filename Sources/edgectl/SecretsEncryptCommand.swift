import EdgeCommandLine
import EdgeAuth

/// `edgectl secrets-encrypt status|rotate-keys`, as k3s names them.
struct SecretsEncryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets-encrypt",
        abstract: "Secrets encryption at rest: show the keys, rotate them.",
        subcommands: [Status.self, RotateKeys.self]
    )

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Whether secrets are encrypted, and under which keys.")
        @Option(name: .long, help: "Server data directory (default /var/lib/edgectl/server or $EDGECTL_DATA_DIR).")
        var dataDir: String?

        func run() throws {
            let dir = DataDirectory.resolve(dataDir, role: "server")
            guard let config = try SecretsEncryptionFile.load(dataDir: dir, enable: false) else {
                print("Encryption Status: Disabled")
                return
            }
            print("Encryption Status: Enabled")
            print("Active Key: \(config.keys[0].name) (aesgcm)")
            if config.keys.count > 1 { print("Older keys (decrypt only): " + config.keys.dropFirst().map(\.name).joined(separator: ", ")) }
        }
    }

    struct RotateKeys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new key; it encrypts from the server's next start, which rewrites every secret under it.")
        @Option(name: .long, help: "Server data directory (default /var/lib/edgectl/server or $EDGECTL_DATA_DIR).")
        var dataDir: String?

        func run() throws {
            let dir = DataDirectory.resolve(dataDir, role: "server")
            guard let config = try SecretsEncryptionFile.load(dataDir: dir, enable: false) else {
                throw ValidationError("secrets encryption is not on for \(dir): start the server with --secrets-encryption first")
            }
            let rotated = config.rotated()
            try SecretsEncryptionFile.save(rotated, dataDir: dir)
            print("new key \(rotated.keys[0].name) added; restart the server to re-encrypt every secret under it")
        }
    }
}
