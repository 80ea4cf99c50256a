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
    /// The configuration for a connection that starts now (nil: plain HTTP).
    let tls: (@Sendable () -> TLSConfiguration)?
    let host: String
    let port: Int
    let launch: ExecLauncher

    /// Serves with `serving`'s current certificate: each new connection takes
    /// the one in use when it arrives, so renewals need no restart.
    public convenience init(directory: any ContainerDirectory, serving: AgentServingCertificate, host: String = "0.0.0.0",
                            port: Int = AgentAPIServer.defaultPort) {
        self.init(directory: directory, tlsSource: { serving.current }, host: host, port: port, launch: ContainerExecLauncher.launch)
    }

    /// A fixed `tls` (never renewed); nil serves plain HTTP with no identity,
    /// which refuses every request (tests of the refusal only).
    public convenience init(directory: any ContainerDirectory, tls: TLSConfiguration?, host: String = "0.0.0.0", port: Int = AgentAPIServer.defaultPort) {
        self.init(directory: directory, tls: tls, host: host, port: port, launch: ContainerExecLauncher.launch)
    }

    convenience init(directory: any ContainerDirectory, tls: TLSConfiguration?, host: String, port: Int, launch: @escaping ExecLauncher) {
        var source: (@Sendable () -> TLSConfiguration)?
        if let tls { source = { tls } }
        self.init(directory: directory, tlsSource: source, host: host, port: port, launch: launch)
    }

    init(directory: any ContainerDirectory, tlsSource: (@Sendable () -> TLSConfiguration)?, host: String, port: Int,
         launch: @escaping ExecLauncher) {
        self.directory = directory
        self.tls = tlsSource
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
                    if let tls { try ops.addHandler(try TLSHandler(configuration: tls())) }
                    let encoder = HTTPResponseEncoder()
                    let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
                    try ops.addHandler(encoder)
                    try ops.addHandler(decoder)
                    try ops.addHandler(AgentHTTPHandler(directory: directory, launch: launch, encoder: encoder, decoder: decoder))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// TLS for the agent API with a certificate made now and never renewed
    /// (tests that serve briefly); the agent serves an AgentServingCertificate,
    /// which makes the same certificate and renews it while the agent runs.
    public static func tlsConfiguration(clientCAPEM: String, nodeName: String, addresses: [String]) throws -> TLSConfiguration {
        try AgentServingCertificate(clientCAPEM: clientCAPEM, nodeName: nodeName, addresses: addresses).current
    }
}
