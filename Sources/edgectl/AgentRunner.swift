import EdgeAgent
import EdgeAPI
import EdgeBoards
import EdgeClient
import EdgeImages
import EdgeNet
import EdgeRuntime
import EdgeTLS
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Runs the node agent: node registration and lease, and the pods bound to it.
enum AgentRunner {
    /// Containers need root (namespaces, mounts, cgroups): an agent without it still
    /// reports its node, with a taint so nothing is scheduled there only to hang.
    static let needsRootTaint: JSON = ["key": "edgectl.io/pods-need-root", "effect": "NoSchedule"]
    /// The node cannot start its container supervisor (ExecProbe said why, in the agent's log).
    static let runtimeUnavailableTaint: JSON = ["key": "edgectl.io/runtime-unavailable", "effect": "NoSchedule"]

    /// With the credentials `edgectl join` left in the data dir, until SIGTERM/SIGINT.
    static func run(dataDir: String, nodeName: String, nodeIP: String?, labels: [String: String], agentPort: Int,
                    imageGC: ImageGCPolicy, network: PodNetworkOptions, serviceNetwork: ServiceNetworkOptions,
                    containerLogs: (maxBytes: Int64, maxFiles: Int) = (10 << 20, 5),
                    leaseDurationSeconds: Int64 = 40) async throws {
        ShutdownSignal.listen()
        let connection = try ClusterConnection.openAgent(dataDir: dataDir, userAgent: "edgectl-agent/" + nodeName)
        let ip = nodeIP ?? HostIdentity.primaryIPv4() ?? "127.0.0.1"
        let task = try start(client: connection.client, dataDir: dataDir, nodeName: nodeName, ip: ip, labels: labels,
                             clusterCAPEM: connection.kubeconfig.caPEM, agentPort: agentPort, imageGC: imageGC, network: network,
                             serviceNetwork: networking(serviceNetwork, nodeName: nodeName, ip: ip, clusterCIDR: defaultClusterCIDR, dns: true),
                             containerLogs: containerLogs, leaseDurationSeconds: leaseDurationSeconds)
        print("edgectl agent: node \(nodeName) (\(ip)) reporting to \(connection.server)")
        let rotation = certificateRotation(connection, dataDir: dataDir, nodeName: nodeName).map { rotator in Task { await rotator.run() } }
        // Every API server's address, from the kubernetes Endpoints: the agent fails over by itself.
        let client = connection.client
        let servers = connection.failover.map { f in Task { await f.keepRefreshed(client, every: .seconds(15)) } }
        // Block-buffered stdout (a log file, a pipe) would hold these lines, and join's, until exit.
        fflush(nil)
        await ShutdownSignal.wait()
        rotation?.cancel()
        servers?.cancel()
        task.cancel()
    }

    /// Renewal of the node's client certificate before it expires; nil when
    /// the kubeconfig holds no certificate (a token, say), with a note why.
    static func certificateRotation(_ connection: ClusterConnection, dataDir: String, nodeName: String) -> NodeCertificateRotator? {
        let kc = connection.kubeconfig
        guard let cert = kc.clientCertPEM, let key = kc.clientKeyPEM else {
            print("edgectl agent: \(dataDir)/kubeconfig.yaml has no client certificate, so there is none to renew")
            return nil
        }
        // The name the certificate was issued for, which --node-name might not repeat on a restart.
        let prefix = "system:node:"
        guard let subject = try? PKI.inspectCertificate(cert).subject, subject.commonName.hasPrefix(prefix) else {
            print("edgectl agent: the client certificate in \(dataDir)/kubeconfig.yaml is not a node's (CN=system:node:NAME), so it will not be renewed")
            return nil
        }
        let certifiedName = String(subject.commonName.dropFirst(prefix.count))
        let files = NodeCredentialFiles(dataDir: dataDir, server: kc.server, caPEM: kc.caPEM, nodeName: certifiedName)
        return NodeCertificateRotator(client: connection.client, nodeName: certifiedName,
                                      current: NodeClientCredentials(keyPEM: key, certificatePEM: cert),
                                      installer: AgentCredentialInstaller(files: files, transport: connection.transport)) { line in
            print("edgectl agent: " + line)
            fflush(nil)
        }
    }

    /// Starts the agent's loops on a client (remote, or in-process for the server's local agent).
    static func start(client: APIClient, dataDir: String, nodeName: String, ip: String, labels: [String: String],
                      clusterCAPEM: String, agentPort: Int, imageGC: ImageGCPolicy, network: PodNetworkOptions,
                      serviceNetwork: ServiceNetworkingConfig, containerLogs: (maxBytes: Int64, maxFiles: Int) = (10 << 20, 5),
                      leaseDurationSeconds: Int64 = 40) throws -> Task<Void, Never> {
        var canRunPods = geteuid() == 0
        var services = serviceNetwork
        var cfg = NodeAgent.Config(nodeName: nodeName)
        let host = HostRoot.fromEnvironment()
        let board = NodeBoard.detect(host)
        cfg.labels = board.labels.merging(labels) { _, given in given }
        cfg.board = board.profile
        if !canRunPods {
            cfg.taints = [needsRootTaint]
            print("edgectl agent: not running as root, so this node runs no pods (tainted \(needsRootTaint["key"]!.string!))")
        }
        // Every container starts by executing this binary as its supervisor: if that cannot
        // work here (an agent emulated by qemu-user, a noexec mount), say so once and take no pods.
        if canRunPods, let why = ExecProbe.failure(running: selfExecutable(), ["version"]) {
            canRunPods = false
            cfg.taints = [runtimeUnavailableTaint]
            print("edgectl agent: this node cannot start containers (\(why)), so it runs no pods (tainted \(runtimeUnavailableTaint["key"]!.string!))")
        }
        cfg.runtimeVersion = "edgectl://" + BuildInfo.version
        cfg.kubeletVersion = BuildInfo.kubeletVersion
        // kubelet renews its lease every quarter of the lease's duration: each renewal is a durable write on the server.
        cfg.leaseDurationSeconds = leaseDurationSeconds
        cfg.leaseInterval = .seconds(max(1, leaseDurationSeconds / 4))
        cfg.report = { line in print("edgectl agent: " + line); fflush(nil) }
        cfg.agentAPIPort = agentPort
        // The node tells the scheduler what its images offer even when it runs no pods
        // itself: what one node knows of an image serves every node.
        try FileSystem.makeDirectories(dataDir)
        let images = StoreImageSource(store: try ImageStore(root: dataDir + "/images"))
        cfg.imagePlatforms = { images.offeredPlatforms() }
        // The pod network is made before the node registers, so its first status already says whether it is up.
        let podNetwork: (network: NodeNetwork, nudge: LateHook)? =
            canRunPods ? try makePodNetwork(client: client, dataDir: dataDir, nodeName: nodeName, ip: ip, options: network) : nil
        var readiness: (@Sendable () -> NetworkReadiness)?
        let proxyHealth = services.proxyHealth
        if let n = podNetwork?.network { readiness = { proxyHealth.applied(to: n.readiness()) } }
        let facts = LinuxNodeFacts(dataDir: dataDir, internalIP: ip, hostname: HostIdentity.hostname(),
                                   health: BoardHealthReader(root: host, profile: board.profile), root: host)
        let agent = NodeAgent(client: client, config: cfg, facts: facts, network: readiness)
        podNetwork?.nudge.set { agent.statusMayHaveChanged() }
        proxyHealth.onChange { agent.statusMayHaveChanged() }
        var pods: PodManager?
        if canRunPods {
            var podConfig = PodManager.Config(nodeName: nodeName, dataDir: dataDir, shimExecutable: selfExecutable(), hostIP: ip)
            podConfig.network = podNetwork?.network
            podConfig.resolvConf = try resolvConf(dataDir: dataDir, explicit: network.resolvConf)
            // Cluster DNS forwards other names to the same resolvers pods with dnsPolicy Default use.
            services.resolvConf = podConfig.resolvConf
            podConfig.containerLogMaxBytes = containerLogs.maxBytes
            podConfig.containerLogMaxFiles = containerLogs.maxFiles
            // Memory-pressure eviction at the board's threshold (kubelet's 100Mi when the board is unknown).
            podConfig.evictionMemoryAvailableBytes = board.profile?.evictionMemoryAvailable ?? 100 << 20
            podConfig.memoryAvailable = { LinuxNodeFacts.memoryAvailable(host) }
            let collector = ImageGCManager(policy: imageGC, store: images, log: { print("edgectl agent: " + $0); fflush(nil) })
            pods = PodManager(client: client, images: images, config: podConfig, imageGC: collector, exec: ExecInContainer.run)
        }
        let podManager = pods
        let runsPods = canRunPods
        // Self-signed as kubelet's, and renewed while the agent runs (AgentServingCertificate); the node's
        // CA that signs it is kept beside the node's credentials, so it stays the same across restarts.
        let serving = try AgentServingCertificate(clientCAPEM: clusterCAPEM, nodeName: nodeName, addresses: [ip, "127.0.0.1"],
                                                  authorityDirectory: dataDir + "/tls")
        let serviceConfig = services
        return Task {
            await withTaskGroup(of: Void.self) { g in
                g.addTask { await agent.run() }
                if let net = podNetwork?.network { g.addTask { await net.run() } }
                if runsPods && (serviceConfig.proxy || serviceConfig.dns) {
                    g.addTask { await ServiceNetworking.run(client: client, config: serviceConfig) }
                }
                if let podManager {
                    g.addTask { await podManager.run() }
                    g.addTask { await serving.run() }
                    g.addTask { await serveAgentAPI(AgentAPIServer(directory: podManager, serving: serving, port: agentPort), port: agentPort) }
                }
            }
        }
    }

    /// The pod network a joined agent assumes until its Node carries the server's (k3s's default).
    static let defaultClusterCIDR = "10.42.0.0/16"

    /// The node's proxy and DNS settings from the flags; both need root (iptables), like pods.
    static func networking(_ o: ServiceNetworkOptions, nodeName: String, ip: String, clusterCIDR: String?, clusterDomain: String? = nil,
                           dns: Bool) -> ServiceNetworkingConfig {
        var c = ServiceNetworkingConfig(nodeName: nodeName, nodeIP: ip)
        c.clusterCIDR = clusterCIDR
        if let clusterDomain { c.clusterDomain = clusterDomain }
        c.proxy = !o.disableKubeProxy
        c.proxyMode = o.mode
        // The DNS listener is reached only through the proxy's rules for the kube-dns service.
        c.dns = dns && !o.disableKubeProxy
        c.syncPeriod = o.syncPeriod
        return c
    }

    /// The node's pod network, and the hook that tells the node agent when it comes up or goes down.
    static func makePodNetwork(client: APIClient, dataDir: String, nodeName: String, ip: String,
                               options: PodNetworkOptions) throws -> (network: NodeNetwork, nudge: LateHook)? {
        guard let nodeIP = IPv4Address(ip) else {
            print("edgectl agent: the node address \(ip) is not IPv4, so this node gets no pod network (pass --node-ip with its IPv4 address)")
            return nil
        }
        let hook = LateHook()
        let config = NodeNetwork.Config(nodeName: nodeName, nodeIP: nodeIP, stateDirectory: dataDir + "/network",
                                        cniConfigDirectory: options.cniConfDir, cniBinDirectories: options.cniBinDirectories)
        return (NodeNetwork(client: client, config: config, ops: try Netlink(), readinessChanged: { hook.call() }), hook)
    }

    /// The node resolv.conf pods start from, as k3s picks it (HostResolvConf); a fallback file is written when needed.
    static func resolvConf(dataDir: String, explicit: String?) throws -> String {
        let fallback = dataDir + "/network/resolv.conf"
        let choice = HostResolvConf.choose(explicit: explicit, fallbackPath: fallback) { path in
            FileSystem.exists(path) ? try? FileSystem.read(path) : nil
        }
        if choice.needsFallbackFile {
            try FileSystem.makeDirectories(dataDir + "/network")
            try FileSystem.write(fallback, HostResolvConf.fallbackContents, mode: 0o644)
            print("edgectl agent: /etc/resolv.conf names only a local resolver, so pods with dnsPolicy Default use \(fallback) (8.8.8.8); pass --resolv-conf to choose another")
        }
        return choice.path
    }

    /// Logs and exec for the API server; a port in use costs those, not the node.
    static func serveAgentAPI(_ server: AgentAPIServer, port: Int) async {
        do {
            let channel = try await server.start(group: MultiThreadedEventLoopGroup.singleton)
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: { channel.close(promise: nil) }
        } catch {
            print("edgectl agent: cannot serve the agent API on port \(port) (\(error)); kubectl logs and exec will not reach this node")
        }
    }

    /// This binary, started again as each container's supervisor.
    static func selfExecutable() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }
}
