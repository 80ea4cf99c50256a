import NIOCore

/// Reads one pod connection into its session (same event loop).
final class PodConnectionRelay: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let session: PortForwardSession
    let request: String

    init(session: PortForwardSession, request: String) {
        self.session = session
        self.request = request
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { session.podData(request, unwrapInboundIn(data)) }
    func channelInactive(context: ChannelHandlerContext) { session.podClosed(request); context.fireChannelInactive() }
    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
