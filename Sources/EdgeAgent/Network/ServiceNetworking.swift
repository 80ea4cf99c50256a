import EdgeAPI
import EdgeClient
import EdgeNet
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What a node's service networking runs with: the service proxy (iptables or nftables)
/// and the node-local cluster DNS.
public struct ServiceNetworkingConfig: Sendable {
    public var nodeName: String
    public var nodeIP: String
    /// The pod network; the Node's cluster-cidr annotation (written by the server) wins when present.
    public var clusterCIDR: String?
    public var proxy = true
    /// iptables or nftables (kube-proxy's --proxy-mode).
    public var proxyMode = ProxyMode.default
    public var dns = true
    public var dnsPort = ClusterDNSServer.defaultPort
    public var clusterDomain = "cluster.local"
    /// Where the node's upstream resolvers are listed (kubelet's --resolv-conf).
    public var resolvConf = "/etc/resolv.conf"
    /// How often the kernel's rules are checked and repaired (kube-proxy's --iptables-sync-period).
    public var syncPeriod: Duration = .seconds(30)
    /// Whether the proxy can program iptables; the agent folds it into the Node's NetworkUnavailable.
    public var proxyHealth = ProxyHealth()

    public init(nodeName: String, nodeIP: String) {
        self.nodeName = nodeName
        self.nodeIP = nodeIP
    }
}

/// Runs the proxy and the DNS server of one node until cancelled. Each keeps
/// going on its own: a DNS port in use costs DNS (retried), not services.
public enum ServiceNetworking {
    public static func run(client: APIClient, config: ServiceNetworkingConfig, log: Logger = Logger(label: "edgectl.agent.net")) async {
        await withTaskGroup(of: Void.self) { g in
            if config.proxy {
                g.addTask {
                    var pc = ServiceProxy.Config(settings: ProxySettings(nodeName: config.nodeName, clusterCIDR: config.clusterCIDR))
                    pc.verifyPeriod = config.syncPeriod
                    pc.health = config.proxyHealth
                    await ServiceProxy(client: client, mode: config.proxyMode, config: pc).run()
                }
            }
            if config.dns {
                g.addTask { await runDNS(client: client, config: config, log: log) }
            }
        }
    }

    static let nodes = BuiltinResources.nodes

    /// The cluster domain and pod network the server wrote on this node's Node
    /// (its node IPAM does so as soon as the node registers), waited for a little.
    static func learnFromNode(client: APIClient, config: ServiceNetworkingConfig) async -> ServiceNetworkingConfig {
        var c = config
        for _ in 0..<30 {
            if let node = try? await client.getIfExists(nodes, namespace: nil, name: config.nodeName),
               let annotations = node[path: ["metadata", "annotations"]], annotations[ClusterNetworkSettings.Key.clusterCIDR] != nil {
                if let cidr = annotations[ClusterNetworkSettings.Key.clusterCIDR]?.string { c.clusterCIDR = cidr }
                if let domain = annotations[ClusterNetworkSettings.Key.clusterDomain]?.string, !domain.isEmpty { c.clusterDomain = domain }
                return c
            }
            try? await Task.sleep(for: .seconds(1))
        }
        return c
    }

    static func runDNS(client: APIClient, config given: ServiceNetworkingConfig, log: Logger) async {
        let config = await learnFromNode(client: client, config: given)
        var dc = ClusterDNSServer.Config(host: config.nodeIP)
        dc.port = config.dnsPort
        dc.domain = config.clusterDomain
        dc.upstreams = UpstreamResolvers.upstreams(path: config.resolvConf, read: { SmallTextFile.read($0) })
        if dc.upstreams.isEmpty {
            log.warning("no upstream resolvers in \(config.resolvConf) (loopback ones are skipped): names outside the cluster will not resolve for pods")
        }
        if let cidr = config.clusterCIDR { dc.allowedSources = [cidr, config.nodeIP + "/32"] }
        var delay: Duration = .seconds(1)
        while !Task.isCancelled {
            do {
                let server = try ClusterDNSServer(client: client, config: dc, log: log)
                try await server.run()
                return
            } catch {
                log.error("cluster DNS cannot listen on \(config.nodeIP):\(config.dnsPort): \(error); retrying in \(delay)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(30))
            }
        }
    }
}
