import EdgeClient
import EdgeTLS
import NIOPosix

/// An API client from a kubeconfig (default: the local server's admin
/// kubeconfig), for the CLI commands that talk to a running server.
struct ClusterConnection {
    let client: APIClient
    let kubeconfig: KubeconfigFile
    let server: String
    /// The client's transport, whose credentials a renewed node certificate replaces.
    let transport: any CredentialedTransport
    /// For agents: the balancer over every API server, to keep refreshed from the kubernetes Endpoints.
    var failover: FailoverTransport?

    static func open(kubeconfig path: String?, server override: String? = nil, userAgent: String) throws -> ClusterConnection {
        let path = path ?? DataDirectory.resolve(nil, role: "server") + "/kubeconfig.yaml"
        guard FileSystem.exists(path) else {
            throw FileSystem.Failure(description: "no kubeconfig at \(path): run this on the server, or pass --kubeconfig")
        }
        let kc = try KubeconfigFile(path: path)
        let tls = try TLSConfiguration.client(trustedCAPEM: kc.caPEM, certificatePEM: kc.clientCertPEM, keyPEM: kc.clientKeyPEM)
        let server = override ?? kc.server
        let transport = try HTTPSTransport(server: server, tls: tls, group: MultiThreadedEventLoopGroup.singleton)
        return ClusterConnection(client: APIClient(transport: transport, userAgent: userAgent, bearerToken: kc.token), kubeconfig: kc, server: server,
                                 transport: transport)
    }

    /// An agent's connection: to the server it joined and every API server it has learned since (kept in
    /// `<data-dir>/servers`, refreshed from the kubernetes Endpoints), failing over between them.
    static func openAgent(dataDir: String, userAgent: String) throws -> ClusterConnection {
        let path = dataDir + "/kubeconfig.yaml"
        guard FileSystem.exists(path) else {
            throw FileSystem.Failure(description: "no kubeconfig at \(path): join the cluster first (edgectl join)")
        }
        let kc = try KubeconfigFile(path: path)
        let tls = try TLSConfiguration.client(trustedCAPEM: kc.caPEM, certificatePEM: kc.clientCertPEM, keyPEM: kc.clientKeyPEM)
        let serversFile = dataDir + "/servers"
        let known = ((try? FileSystem.read(serversFile)) ?? "").split(separator: "\n").map(String.init).filter { $0.hasPrefix("https://") }
        let transport = try FailoverTransport(servers: [kc.server] + known, tls: tls, group: MultiThreadedEventLoopGroup.singleton) { servers in
            try? FileSystem.write(serversFile, servers.joined(separator: "\n") + "\n", mode: 0o600)
        }
        var c = ClusterConnection(client: APIClient(transport: transport, userAgent: userAgent, bearerToken: kc.token), kubeconfig: kc,
                                  server: kc.server, transport: transport)
        c.failover = transport
        return c
    }
}
