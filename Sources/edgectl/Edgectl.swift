import ArgumentParser

@main
struct Edgectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgectl",
        abstract: "A Kubernetes-compatible cluster for small boards: server, agent and tools in one binary.",
        version: BuildInfo.version,
        subcommands: [DevServerCommand.self, ServerCommand.self, HollowNodesCommand.self, AgentCommand.self, TokenCommand.self, JoinCommand.self, RunContainerCommand.self, ShimCommand.self, ImagesCommand.self, KubeconfigCommand.self, VersionCommand.self]
    )
}
