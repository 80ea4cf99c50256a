import EdgeAgent
import EdgeAPI
#if canImport(Glibc)
import Glibc
#endif

/// Runs the node agent with the credentials `edgectl join` left in the data
/// dir, until SIGTERM/SIGINT.
enum AgentRunner {
    /// Pods cannot run on an agent yet (the pod lifecycle arrives with the rest of the
    /// agent issue): the node says so with a taint instead of accepting pods it would never start.
    static let noPodsTaint: JSON = ["key": "edgectl.io/pods-not-supported-yet", "effect": "NoSchedule"]

    static func run(dataDir: String, nodeName: String, nodeIP: String?, labels: [String: String]) async throws {
        let connection = try ClusterConnection.open(kubeconfig: dataDir + "/kubeconfig.yaml", userAgent: "edgectl-agent/" + nodeName)
        var cfg = NodeAgent.Config(nodeName: nodeName)
        cfg.labels = labels
        cfg.taints = [noPodsTaint]
        cfg.runtimeVersion = "edgectl://" + BuildInfo.version
        let ip = nodeIP ?? HostIdentity.primaryIPv4() ?? "127.0.0.1"
        let agent = NodeAgent(client: connection.client, config: cfg,
                              facts: LinuxNodeFacts(dataDir: dataDir, internalIP: ip, hostname: HostIdentity.hostname()))
        print("edgectl agent: node \(nodeName) (\(ip)) reporting to \(connection.server)")
        // Block-buffered stdout (a log file, a pipe) would hold these lines, and join's, until exit.
        fflush(nil)  // nil: every output stream (the global stdout is off-limits under strict concurrency)
        let task = Task { await agent.run() }
        await ShutdownSignal.wait()
        task.cancel()
    }
}
