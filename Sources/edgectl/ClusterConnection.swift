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
    let transport: HTTPSTransport

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
}
