import ArgumentParser

/// `edgectl agent`: the node agent. Joins first when this data dir has no credentials yet.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the node agent (joining first if this machine has no node credentials yet)."
    )

    @Option(help: "Server address for a first join: https://IP:6443.") var server: String?
    @Option(help: "Join token for a first join.") var token: String?
    @Option(help: "sha256:<hex> of the cluster CA for a first join.") var caCertHash: String?
    @Option(help: "State directory (default /var/lib/edgectl/agent or $EDGECTL_DATA_DIR).") var dataDir: String?
    @Option(help: "This node's name (default: the hostname).") var nodeName: String?
    @Option(help: "The address other nodes reach this one on (default: the first non-loopback IPv4).") var nodeIp: String?
    @Option(help: "Node labels, key=value, comma-separated.") var nodeLabels: String?
    @Option(help: "Port of the agent API (logs, exec; kubelet's 10250).") var agentApiPort: Int = 10250
    @OptionGroup(title: "Image garbage collection") var imageGC: ImageGCOptions
    @OptionGroup(title: "Pod network") var podNetwork: PodNetworkOptions
    @OptionGroup(title: "Service proxy and cluster DNS") var serviceNetwork: ServiceNetworkOptions

    func run() async throws {
        let dir = DataDirectory.resolve(dataDir, role: "agent")
        let name = nodeName ?? HostIdentity.hostname()
        let labels = try NodeLabels.parse(nodeLabels)
        if !FileSystem.exists(dir + "/kubeconfig.yaml") {
            guard let server, let token, let caCertHash else {
                throw ValidationError("\(dir) holds no node credentials yet: pass --server, --token and --ca-cert-hash (from `edgectl token create` on the server) to join first")
            }
            guard JoinFlow.validToken(token), JoinFlow.validHash(caCertHash) else {
                throw ValidationError("--token must look like abcdef.0123456789abcdef and --ca-cert-hash like sha256:<64 hex digits>")
            }
            do {
                _ = try await JoinFlow(server: server, token: token, caCertHash: caCertHash.lowercased(), dataDir: dir, nodeName: name).run()
            } catch let e as JoinFlow.Failure {
                throw ValidationError(e.description)
            }
        }
        try await AgentRunner.run(dataDir: dir, nodeName: name, nodeIP: nodeIp, labels: labels, agentPort: agentApiPort,
                                 imageGC: imageGC.policy, network: podNetwork, serviceNetwork: serviceNetwork)
    }
}

/// `k=v,k2=v2` flags.
enum NodeLabels {
    static func parse(_ text: String?) throws -> [String: String] {
        var out: [String: String] = [:]
        for pair in (text ?? "").split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty else { throw ValidationError("labels are key=value pairs, got \(pair)") }
            out[kv[0]] = kv[1]
        }
        return out
    }
}
