import EdgeCommandLine
import EdgeAPI
import EdgeAgent
import EdgeClient
import EdgeTLS
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

struct HollowNodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hollow-nodes",
        abstract: "Run simulated nodes for scale tests: they register, renew leases and report bound pods Running, without containers."
    )

    @Option(help: "How many nodes to simulate.") var count: Int
    @Option(help: "API server URL (default: the kubeconfig's).") var server: String?
    @Option(help: "Kubeconfig with credentials (default: the local server's admin kubeconfig).") var kubeconfig: String?
    @Option(help: "Node name prefix.") var namePrefix = "hollow-node-"
    @Option(help: "Index of the first node (to run several processes side by side).") var firstIndex = 0
    @Option(help: "Allocatable CPU per node.") var cpu = "4"
    @Option(help: "Allocatable memory per node.") var memory = "8Gi"
    @Option(help: "Pods per node.") var pods: Int64 = 110
    @Option(help: "Extra node labels, key=value, comma-separated.") var labels: String?
    @Option(help: "Node taints, key[=value]:Effect, comma-separated (Effect: NoSchedule, PreferNoSchedule, NoExecute).") var taints: String?

    func validate() throws {
        guard count > 0 && count <= 100_000 else { throw ValidationError("--count must be between 1 and 100000, got \(count)") }
    }

    func run() async throws {
        ShutdownSignal.listen()
        let connection = try ClusterConnection.open(kubeconfig: kubeconfig, server: server, userAgent: "edgectl-hollow-nodes")
        var cfg = HollowNodes.Config(count: count)
        cfg.namePrefix = namePrefix
        cfg.firstIndex = firstIndex
        cfg.cpu = cpu
        cfg.memory = memory
        cfg.pods = pods
        for pair in (labels ?? "").split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ValidationError("--labels expects key=value pairs, got \(pair)") }
            cfg.labels[kv[0]] = kv[1]
        }
        for t in (taints ?? "").split(separator: ",") {
            let parts = t.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(parts[1]), !parts[0].isEmpty else {
                throw ValidationError("--taints expects key[=value]:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute, got \(t)")
            }
            let kv = parts[0].split(separator: "=", maxSplits: 1).map(String.init)
            var taint: JSON = ["key": .string(kv[0]), "effect": .string(parts[1])]
            if kv.count == 2 { taint["value"] = .string(kv[1]) }
            cfg.taints.append(taint)
        }
        let nodes = HollowNodes(client: connection.client, config: cfg)
        print("running \(count) hollow nodes against \(connection.server)")
        let task = Task {
            do { try await nodes.run() } catch {
                // Registration failed: say why and exit non-zero rather than idle silently.
                let line = Array("edgectl hollow-nodes: \(error)\n".utf8)
                _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
                Glibc.exit(1)
            }
        }
        await ShutdownSignal.wait()
        task.cancel()
    }
}
