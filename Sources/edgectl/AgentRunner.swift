import EdgeAgent
import EdgeAPI
import EdgeClient
import EdgeImages
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Runs the node agent: node registration and lease, and the pods bound to it.
enum AgentRunner {
    /// Containers need root (namespaces, mounts, cgroups): an agent without it still
    /// reports its node, with a taint so nothing is scheduled there only to hang.
    static let needsRootTaint: JSON = ["key": "edgectl.io/pods-need-root", "effect": "NoSchedule"]

    /// With the credentials `edgectl join` left in the data dir, until SIGTERM/SIGINT.
    static func run(dataDir: String, nodeName: String, nodeIP: String?, labels: [String: String], agentPort: Int,
                    imageGC: ImageGCPolicy) async throws {
        let connection = try ClusterConnection.open(kubeconfig: dataDir + "/kubeconfig.yaml", userAgent: "edgectl-agent/" + nodeName)
        let ip = nodeIP ?? HostIdentity.primaryIPv4() ?? "127.0.0.1"
        let task = try start(client: connection.client, dataDir: dataDir, nodeName: nodeName, ip: ip, labels: labels,
                             clusterCAPEM: connection.kubeconfig.caPEM, agentPort: agentPort, imageGC: imageGC)
        print("edgectl agent: node \(nodeName) (\(ip)) reporting to \(connection.server)")
        // Block-buffered stdout (a log file, a pipe) would hold these lines, and join's, until exit.
        fflush(nil)
        await ShutdownSignal.wait()
        task.cancel()
    }

    /// Starts the agent's loops on a client (remote, or in-process for the server's local agent).
    static func start(client: APIClient, dataDir: String, nodeName: String, ip: String, labels: [String: String],
                      clusterCAPEM: String, agentPort: Int, imageGC: ImageGCPolicy) throws -> Task<Void, Never> {
        let canRunPods = geteuid() == 0
        var cfg = NodeAgent.Config(nodeName: nodeName)
        cfg.labels = labels
        if !canRunPods { cfg.taints = [needsRootTaint] }
        cfg.runtimeVersion = "edgectl://" + BuildInfo.version
        cfg.agentAPIPort = agentPort
        let agent = NodeAgent(client: client, config: cfg, facts: LinuxNodeFacts(dataDir: dataDir, internalIP: ip, hostname: HostIdentity.hostname()))
        var pods: PodManager?
        if canRunPods {
            try FileSystem.makeDirectories(dataDir)
            let images = StoreImageSource(store: try ImageStore(root: dataDir + "/images"))
            let podConfig = PodManager.Config(nodeName: nodeName, dataDir: dataDir, shimExecutable: selfExecutable(), hostIP: ip)
            let collector = ImageGCManager(policy: imageGC, store: images, log: { print("edgectl agent: " + $0); fflush(nil) })
            pods = PodManager(client: client, images: images, config: podConfig, imageGC: collector, exec: ExecInContainer.run)
        } else {
            print("edgectl agent: not running as root, so this node runs no pods (tainted \(needsRootTaint["key"]!.string!))")
        }
        let podManager = pods
        let tls = try AgentAPIServer.tlsConfiguration(clientCAPEM: clusterCAPEM, nodeName: nodeName, addresses: [ip, "127.0.0.1"])
        return Task {
            await withTaskGroup(of: Void.self) { g in
                g.addTask { await agent.run() }
                if let podManager {
                    g.addTask { await podManager.run() }
                    g.addTask { await serveAgentAPI(AgentAPIServer(directory: podManager, tls: tls, port: agentPort), port: agentPort) }
                }
            }
        }
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
