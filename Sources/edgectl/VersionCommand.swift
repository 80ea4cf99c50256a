import ArgumentParser

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print version, architecture and build information.")

    func run() {
        print("edgectl \(BuildInfo.version) (Kubernetes API \(BuildInfo.kubernetesVersion)) linux/\(BuildInfo.arch)")
    }
}
