import EdgeCommandLine
import EdgeBoards

/// `edgectl join https://SERVER:6443 --token T --ca-cert-hash sha256:H`:
/// kubeadm-style bootstrap of this machine's node identity, then the agent.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join this machine to a cluster with a token from `edgectl token create`."
    )

    @Argument(help: "The server's address, as printed by `edgectl token create`: https://IP:6443.") var server: String
    @Option(help: "Join token ([a-z0-9]{6}.[a-z0-9]{16}).") var token: String
    @Option(help: "sha256:<hex> of the cluster CA's public key, as printed with the token.") var caCertHash: String
    @Option(help: "State directory (default /var/lib/edgectl/agent or $EDGECTL_DATA_DIR).") var dataDir: String?
    @Option(help: "This node's name (default: the hostname).") var nodeName: String?
    @Option(help: "The address other nodes reach this one on (default: the first non-loopback IPv4).") var nodeIp: String?
    @Option(help: "Node labels, key=value, comma-separated.") var nodeLabels: String?
    @Option(help: "Port of the agent API (logs, exec; kubelet's 10250).") var agentApiPort: Int = 10250
    @Flag(help: "Only obtain the credentials; do not run the agent.") var noAgent = false
    @Flag(help: "After joining, install the agent as a systemd service (edgectl-agent.service) instead of running it here.") var install = false
    @OptionGroup(title: "Image garbage collection") var imageGC: ImageGCOptions
    @OptionGroup(title: "Container logs") var containerLogs: ContainerLogOptions
    @Option(help: "The node's Lease duration, renewed every quarter of it (kubelet's --node-lease-duration-seconds). Each renewal is a write on the server's store: longer spares an SD card, and needs a longer --node-monitor-grace-period on the server.")
    var nodeLeaseDurationSeconds: Int64 = 40
    @Option(help: "Preflight errors to report as warnings, comma-separated check names (or all); `edgectl preflight --role agent` lists them.")
    var ignorePreflightErrors: String?
    @OptionGroup(title: "Pod network") var podNetwork: PodNetworkOptions
    @OptionGroup(title: "Service proxy and cluster DNS") var serviceNetwork: ServiceNetworkOptions

    func validate() throws {
        guard server.hasPrefix("https://") else {
            throw ValidationError("the server address must start with https:// (e.g. https://192.168.1.10:6443), got \(server)")
        }
        guard JoinFlow.validToken(token) else {
            throw ValidationError("--token must look like abcdef.0123456789abcdef: copy it from `edgectl token create` on the server")
        }
        guard JoinFlow.validHash(caCertHash) else {
            throw ValidationError("--ca-cert-hash must be sha256: followed by 64 hex digits, as printed by `edgectl token create`")
        }
    }

    func run() async throws {
        let flow = JoinFlow(server: server, token: token, caCertHash: caCertHash.lowercased(),
                            dataDir: DataDirectory.resolve(dataDir, role: "agent"), nodeName: nodeName ?? HostIdentity.hostname())
        let labels = try NodeLabels.parse(nodeLabels)
        if !noAgent {
            try PreflightGate.run(role: .agent, dataDir: flow.dataDir, tcpPorts: [agentApiPort], udpPorts: [8472], ignore: ignorePreflightErrors)
        }
        let dir: String
        do {
            dir = try await flow.run()
        } catch let e as JoinFlow.Failure {
            throw ValidationError(e.description)
        }
        print("This machine joined the cluster as system:node:\(flow.nodeName).")
        print("  credentials: \(dir)/kubeconfig.yaml (client certificate signed by the cluster CA)")
        if noAgent { return }
        if install {
            // The credentials are in the data dir now: the service needs no token.
            var args = ["--data-dir", dir, "--node-name", flow.nodeName]
            if let nodeIp { args += ["--node-ip", nodeIp] }
            if let nodeLabels { args += ["--node-labels", nodeLabels] }
            let unit = ServiceUnit(role: .agent, binary: "/usr/local/bin/edgectl", arguments: args,
                                   environment: [("EDGECTL_SERVER", server), ("EDGECTL_CA_CERT_HASH", caCertHash.lowercased())])
            let source = AgentRunner.selfExecutable()
            let installer = Installer(root: "/", unit: unit, binarySource: NodeCleanupPaths.same(source, unit.binary) ? nil : source, dataDir: dir)
            for line in try installer.install() { print(line) }
            if SystemdControl.available(root: "/") {
                for step in [["daemon-reload"], ["restart", unit.name]] { if let p = SystemdControl.run(step) { print(p) } }
                print("started \(unit.name)")
            }
            return
        }
        try await AgentRunner.run(dataDir: dir, nodeName: flow.nodeName, nodeIP: nodeIp, labels: labels, agentPort: agentApiPort,
                                 imageGC: imageGC.policy, network: podNetwork, serviceNetwork: serviceNetwork,
                                 containerLogs: (containerLogs.maxBytes, containerLogs.containerLogMaxFiles),
                                 leaseDurationSeconds: nodeLeaseDurationSeconds)
    }
}
