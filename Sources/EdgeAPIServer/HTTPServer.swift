import NIOCore
import NIOHTTP1
import NIOPosix

/// Listens for API connections: TLS (when a handler factory is given), HTTP/1.1
/// with keep-alive, then the request handler.
public enum HTTPServer {
    public static func start(host: String, port: Int, group: EventLoopGroup, service: APIService,
                             tlsHandler: (@Sendable () throws -> ChannelHandler)? = nil) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsHandler { try channel.pipeline.syncOperations.addHandler(try tlsHandler()) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true,
                                                                                     withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPRequestHandler(service: service))
                }
            }
            .bind(host: host, port: port).get()
    }
}
