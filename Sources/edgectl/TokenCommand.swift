import EdgeCommandLine
import EdgeAPI
import EdgeClient
import EdgeTLS

/// `edgectl token create|list|delete`: join tokens, stored as kubeadm's
/// bootstrap-token Secrets in kube-system.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage join tokens for `edgectl join`.",
        subcommands: [Create.self, List.self, Delete.self]
    )

    static let secrets = BuiltinResources.secrets

    struct Options: ParsableArguments {
        @Option(help: "Kubeconfig of an admin (default: the local server's).") var kubeconfig: String?
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a join token and print the join command.")
        @OptionGroup var options: Options
        @Option(help: "How long the token works: e.g. 24h, 90m, 0 for never.") var ttl = "24h"
        @Option(help: "A note shown by `token list`.") var description: String?
        @Flag(help: "Print only the token.") var tokenOnly = false

        func validate() throws {
            guard DurationFlag.seconds(ttl) != nil else { throw ValidationError("--ttl \(ttl) is not a duration: use forms like 24h, 90m, 45s or 0") }
        }

        func run() async throws {
            let c = try ClusterConnection.open(kubeconfig: options.kubeconfig, userAgent: "edgectl-token")
            let ttlSeconds = DurationFlag.seconds(ttl)!
            let token = BootstrapToken.generate()
            let expiration = ttlSeconds > 0 ? Timestamp.now().adding(seconds: ttlSeconds) : nil
            _ = try await c.client.create(TokenCommand.secrets, namespace: BootstrapToken.namespace,
                                          token.secretObject(expiration: expiration, description: description))
            if tokenOnly { print(token); return }
            print(try JoinLine.render(server: c.server, caPEM: c.kubeconfig.caPEM, token: token))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List join tokens.")
        @OptionGroup var options: Options

        func run() async throws {
            let c = try ClusterConnection.open(kubeconfig: options.kubeconfig, userAgent: "edgectl-token")
            let items = try await c.client.list(TokenCommand.secrets, namespace: BootstrapToken.namespace,
                                                fieldSelector: "type=\(BootstrapToken.secretType)").items
            print(pad("TOKEN ID", 10) + pad("EXPIRES", 22) + "DESCRIPTION")
            for s in items {
                print(pad(BootstrapToken.field(s, "token-id") ?? "?", 10)
                      + pad(BootstrapToken.expiration(s)?.rfc3339 ?? "<never>", 22) + (BootstrapToken.field(s, "description") ?? ""))
            }
        }

        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a join token (by id or whole token).")
        @OptionGroup var options: Options
        @Argument(help: "The token id (6 characters) or the whole token.") var token: String

        func run() async throws {
            let id = BootstrapToken(token)?.id ?? token
            guard id.count == 6 else { throw ValidationError("\(token) is neither a token id ([a-z0-9]{6}) nor a token") }
            let c = try ClusterConnection.open(kubeconfig: options.kubeconfig, userAgent: "edgectl-token")
            do {
                _ = try await c.client.delete(TokenCommand.secrets, namespace: BootstrapToken.namespace, name: "bootstrap-token-" + id)
                print("token \(id) deleted")
            } catch let e as APIError where e.code == 404 {
                throw ValidationError("no token with id \(id) (see `edgectl token list`)")
            }
        }
    }
}

/// The command a joining machine runs, with the CA's public key hash.
enum JoinLine {
    static func render(server: String, caPEM: String, token: BootstrapToken) throws -> String {
        "edgectl join \(server) --token \(token) --ca-cert-hash \(try PKI.caCertHash(caPEM))"
    }
}
