@testable import EdgeCommandLine

/// What the test commands saw when they ran.
enum Ran {
    nonisolated(unsafe) static var values: [String] = []
}

struct NetworkOptions: ParsableArguments {
    @Option(help: "Pod network CIDR.") var clusterCidr: String = "10.42.0.0/16"
    @Flag(help: "No proxy.") var disableKubeProxy = false

    func validate() throws {
        if clusterCidr == "bad" { throw ValidationError("--cluster-cidr bad is not a network") }
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API.")

    @Option(name: .long, help: "State directory.") var dataDir: String?
    @Option(help: "HTTPS port of the API server.") var httpsListenPort: Int = 6443
    @Option(help: ArgumentHelp("Lifetime of certificates.", valueName: "duration")) var certLifetime: String?
    @Option(parsing: .singleValue, help: "Components not to run. Repeatable.") var disable: [String] = []
    @Option(name: .customLong("dir"), help: "A directory (repeatable).") var dirs: [String] = []
    @Flag(help: "Do not run a local agent.") var disableAgent = false
    @Option(help: ArgumentHelp("Test hook.", visibility: .hidden)) var hostRoot: String?
    @OptionGroup(title: "Cluster network") var network: NetworkOptions

    func validate() throws {
        guard (1...65535).contains(httpsListenPort) else { throw ValidationError("--https-listen-port must be 1-65535, got \(httpsListenPort)") }
        if network.clusterCidr == "10.0.0.0/8" { throw ValidationError("command validation ran") }
    }

    func run() async throws {
        Ran.values = [dataDir ?? "nil", String(httpsListenPort), certLifetime ?? "nil", disable.joined(separator: ","),
                      dirs.joined(separator: ","), String(disableAgent), hostRoot ?? "nil", network.clusterCidr, String(network.disableKubeProxy)]
        if dataDir == "fail" { throw ValidationError("no kubeconfig at fail") }
        if dataDir == "exit" { throw ExitCode(7) }
        if dataDir == "other" { throw Failure() }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the store is damaged" }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring a stopped server back to a snapshot.",
                                                    discussion: "The server must be stopped.")
    @Argument(help: "A snapshot.") var file: String
    @Option(help: "State directory.") var dataDir: String?

    func run() throws { Ran.values = [file, dataDir ?? "nil"] }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove images.", aliases: ["delete"])
    @Argument(help: "Image references.") var references: [String]
    @Flag(name: .shortAndLong, help: "Print only ids.") var quiet = false

    func run() { Ran.values = references + [String(quiet)] }
}

struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Install a service.")
    @Argument(help: "server or agent.") var role: String
    @Option(help: "Root.") var root: String = "/"
    @Argument(parsing: .postTerminator, help: "Extra arguments.") var extra: [String] = []

    func run() { Ran.values = [role, root] + extra }
}

struct RunContainer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-container", abstract: "Run a container.", shouldDisplay: false)
    @Option(help: "Root filesystem.") var rootfs: String
    @Option(help: "User id.") var uid: UInt32 = 0
    @Argument(parsing: .captureForPassthrough, help: "The command.") var command: [String]

    func run() { Ran.values = [rootfs, String(uid)] + command }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Snapshots of the store.", subcommands: [Restore.self])
}

struct Tool: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tool", abstract: "A tool for tests.", version: "1.2.3",
                                                    subcommands: [Serve.self, Backup.self, Remove.self, Install.self, RunContainer.self])
}
