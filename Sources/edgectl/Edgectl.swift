import EdgeCommandLine
import EdgeRuntime

import Glibc

@main
struct Edgectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgectl",
        abstract: "A Kubernetes-compatible cluster for small boards: server, agent and tools in one binary.",
        version: BuildInfo.version,
        subcommands: [DevServerCommand.self, ServerCommand.self, HollowNodesCommand.self, AgentCommand.self, TokenCommand.self, StoreCommand.self, JoinCommand.self, RunContainerCommand.self, ShimCommand.self, ImagesCommand.self, KubeconfigCommand.self, BackupCommand.self, BoardsCommand.self, PreflightCommand.self, InstallCommand.self, KillallCommand.self, ResetCommand.self, UninstallCommand.self, FlashCommand.self, FirstbootCommand.self, VersionCommand.self, NetBenchCommand.self, SecretsEncryptCommand.self]
    )

    /// The commands run once per container skip the argument parser when their arguments
    /// are plain: its protocol-conformance lookups cost about 3 ms of every start, and a
    /// container's start-up includes the shim's. Anything unusual (help, a mistake) still
    /// goes through the parser and gets its messages.
    static func main() async {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == ShimCommand.configuration.commandName, !arguments[2].hasPrefix("-") {
            Glibc.exit(Shim.main(dir: arguments[2]))
        }
        if arguments.count > 2, arguments[1] == RunContainerCommand.configuration.commandName,
           let request = RunContainerRequest.quickParse(arguments[2...]) {
            do { Glibc.exit(try request.run()) } catch {
                // As the parsed command reports it: the message, and EX_USAGE as for its ValidationError.
                let message = "Error: \(error)\n"
                _ = message.utf8CString.withUnsafeBufferPointer { Glibc.write(2, $0.baseAddress, $0.count - 1) }
                Glibc.exit(64)
            }
        }
        GlibcMalloc.limitArenas()
        GlibcMalloc.fixMmapThreshold()
        await main(nil)
    }
}
