import ArgumentParser
import EdgeAgent
import EdgeClient
import EdgeTLS
import NIOPosix

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

    func validate() throws {
        guard count > 0 && count <= 100_000 else { throw ValidationError("--count must be between 1 and 100000, got \(count)") }
    }

    func run() async throws {
        let path = kubeconfig ?? DataDirectory.resolve(nil, role: "server") + "/kubeconfig.yaml"
        let kc = try KubeconfigFile(path: path)
        let tls = try TLSConfiguration.client(trustedCAPEM: kc.caPEM, certificatePEM: kc.clientCertPEM, keyPEM: kc.clientKeyPEM)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let transport = try HTTPSTransport(server: server ?? kc.server, tls: tls, group: group)
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
        let nodes = HollowNodes(client: APIClient(transport: transport, userAgent: "edgectl-hollow-nodes"), config: cfg)
        print("running \(count) hollow nodes against \(server ?? kc.server)")
        let task = Task { try await nodes.run() }
        await ShutdownSignal.wait()
        task.cancel()
    }
}
