import NIOCore
import NIOHTTP1
import NIOPosix

/// Listens for API connections: TLS (when a handler factory is given), HTTP/1.1
/// with keep-alive, then the request handler. Every connection is timed
/// (ConnectionDeadline) and counted against the cap (ConnectionGate).
public enum HTTPServer {
    public static func start(host: String, port: Int, group: EventLoopGroup, service: APIService,
                             limits: ConnectionLimits = ConnectionLimits(),
                             tlsHandler: (@Sendable () throws -> ChannelHandler)? = nil) async throws -> Channel {
        let gate = ConnectionGate(limit: limits.maxConnections)
        // A refused connection only hears why: it gets a short clock.
        let refusalLimits = ConnectionLimits(readHeaderTimeout: min(limits.readHeaderTimeout, .seconds(10)),
                                             idleTimeout: .seconds(1), maxConnections: limits.maxConnections)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let decision = gate.admit()
                channel.closeFuture.whenComplete { _ in gate.release(decision) }
                if decision == .drop {
                    // Past the cap and the refusals: no TLS state is spent on it.
                    channel.close(promise: nil)
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let ops = channel.pipeline.syncOperations
                    let deadline = ConnectionDeadline(channel: channel, limits: decision == .serve ? limits : refusalLimits)
                    if let tlsHandler { try ops.addHandler(try tlsHandler()) }
                    try ops.addHandler(ConnectionDeadlineHandler(deadline: deadline))
                    try ops.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    if decision == .serve {
                        try ops.addHandler(HTTPRequestHandler(service: service, deadline: deadline))
                    } else {
                        try ops.addHandler(ConnectionRefusalHandler(limit: limits.maxConnections))
                    }
                }
            }
            .bind(host: host, port: port).get()
    }
}
