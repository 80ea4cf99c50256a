import EdgeTLS
import NIOCore
import NIOHTTP1
import NIOPosix

/// The agent API (kubelet's port 10250): container logs and exec, over TLS
/// that accepts only client certificates from the cluster CA. The API server's
/// pods/log and pods/exec proxy here.
public final class AgentAPIServer: Sendable {
    public static let defaultPort = 10250

    let directory: any ContainerDirectory
    let tls: TLSConfiguration?
    let host: String
    let port: Int
    let launch: ExecLauncher

    /// `tls` from `AgentAPIServer.tlsConfiguration`; nil serves plain HTTP with
    /// no identity, which refuses every request (tests of the refusal only).
    public convenience init(directory: any ContainerDirectory, tls: TLSConfiguration?, host: String = "0.0.0.0", port: Int = AgentAPIServer.defaultPort) {
        self.init(directory: directory, tls: tls, host: host, port: port, launch: ContainerExecLauncher.launch)
    }

    init(directory: any ContainerDirectory, tls: TLSConfiguration?, host: String, port: Int, launch: @escaping ExecLauncher) {
        self.directory = directory
        self.tls = tls
        self.host = host
        self.port = port
        self.launch = launch
    }

    /// Starts listening; close the returned channel to stop. Port 0 picks a free port (see `localAddress`).
    public func start(group: EventLoopGroup) async throws -> Channel {
        let directory = self.directory, tls = self.tls, launch = self.launch
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let ops = channel.pipeline.syncOperations
                    if let tls { try ops.addHandler(try TLSHandler(configuration: tls)) }
                    let encoder = HTTPResponseEncoder()
                    let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
                    try ops.addHandler(encoder)
                    try ops.addHandler(decoder)
                    try ops.addHandler(AgentHTTPHandler(directory: directory, launch: launch, encoder: encoder, decoder: decoder))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// TLS for the agent API: a serving certificate signed by a CA of the
    /// node's own (made here, as kubelet self-signs: the API server does not
    /// verify kubelet serving certificates), and the cluster CA to verify clients.
    public static func tlsConfiguration(clientCAPEM: String, nodeName: String, addresses: [String]) throws -> TLSConfiguration {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "\(nodeName)-ca")
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: nodeName), dnsNames: [nodeName, "localhost"],
                                           ipAddresses: addresses, usage: .serverAuth, days: 365)
        return try TLSConfiguration.server(certificateChainPEM: cert + ca, keyPEM: key, clientCAPEM: clientCAPEM)
    }
}
