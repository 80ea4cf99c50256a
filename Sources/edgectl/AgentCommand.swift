import EdgeCommandLine
import EdgeAPI

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
    @OptionGroup(title: "Container logs") var containerLogs: ContainerLogOptions
    @Option(help: "The node's Lease duration, renewed every quarter of it (kubelet's --node-lease-duration-seconds). Each renewal is a write on the server's store: longer spares an SD card, and needs a longer --node-monitor-grace-period on the server.")
    var nodeLeaseDurationSeconds: Int64 = 40
    @Option(help: "Preflight errors to report as warnings, comma-separated check names (or all); `edgectl preflight --role agent` lists them.")
    var ignorePreflightErrors: String?
    @OptionGroup(title: "Pod network") var podNetwork: PodNetworkOptions
    @OptionGroup(title: "Service proxy and cluster DNS") var serviceNetwork: ServiceNetworkOptions

    func run() async throws {
        let dir = DataDirectory.resolve(dataDir, role: "agent")
        let name = nodeName ?? HostIdentity.hostname()
        let labels = try NodeLabels.parse(nodeLabels)
        try PreflightGate.run(role: .agent, dataDir: dir, tcpPorts: [agentApiPort], udpPorts: [8472], ignore: ignorePreflightErrors)
        if !FileSystem.exists(dir + "/kubeconfig.yaml") {
            // A service installed by `edgectl install agent` passes these in its 0600 settings file.
            let server = self.server ?? FileSystem.environment("EDGECTL_SERVER")
            let token = self.token ?? FileSystem.environment("EDGECTL_TOKEN")
            let caCertHash = self.caCertHash ?? FileSystem.environment("EDGECTL_CA_CERT_HASH")
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
                                 imageGC: imageGC.policy, network: podNetwork, serviceNetwork: serviceNetwork,
                                 containerLogs: (containerLogs.maxBytes, containerLogs.containerLogMaxFiles),
                                 leaseDurationSeconds: nodeLeaseDurationSeconds)
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
        // As kubelet: refuse at start what NodeRestriction would refuse at every registration attempt.
        let refused = NodeLabelPolicy.forbidden(Set(out.keys))
        if !refused.isEmpty {
            throw ValidationError("""
                unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: \(refused.joined(separator: ", ")); \
                a node may set only \(NodeLabelPolicy.kubeletLabels.sorted().joined(separator: ", ")) and labels under \
                \(NodeLabelPolicy.kubeletNamespaces.map { $0 + "/" }.joined(separator: " or ")) in those namespaces \
                (node-role and node-restriction labels are an admin's: kubectl label node NAME KEY=VALUE)
                """)
        }
        return out
    }
}
