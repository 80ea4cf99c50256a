import EdgeTLS
import NIOCore
import NIOPosix

/// Opens connections to node agents. The channel it returns carries plaintext
/// ByteBuffers both ways (TLS, if any, is inside the connector), so the proxy
/// can be tested against a plain fake agent.
public protocol NodeConnector: Sendable {
    func connect(host: String, port: Int) async throws -> Channel
}

/// The real one: TLS with the API server's kubelet client certificate. The
/// agent's serving certificate is not verified, as upstream without
/// --kubelet-certificate-authority.
public struct TLSNodeConnector: NodeConnector {
    let group: EventLoopGroup
    let tls: TLSConfiguration

    public init(group: EventLoopGroup, tls: TLSConfiguration) {
        self.group = group
        self.tls = tls
    }

    public func connect(host: String, port: Int) async throws -> Channel {
        let tls = self.tls
        return try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(try TLSHandler(configuration: tls)) } }
            .connect(host: host, port: port).get()
    }
}

/// A plain TCP connector (tests, and agents reached through a trusted tunnel).
public struct PlainNodeConnector: NodeConnector {
    let group: EventLoopGroup
    public init(group: EventLoopGroup) { self.group = group }
    public func connect(host: String, port: Int) async throws -> Channel {
        try await ClientBootstrap(group: group).connect(host: host, port: port).get()
    }
}
