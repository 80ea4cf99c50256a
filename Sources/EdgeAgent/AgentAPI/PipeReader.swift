import NIOCore

/// Reads a process's output pipe (or pty master) for an ExecSession. A pty
/// reports its end as EIO rather than end of file: both close the channel and
/// count as the stream ending.
/// Lives on the exec connection's event loop, as its session does.
final class PipeReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    let onData: (ByteBuffer) -> Void
    let onEnd: (Channel) -> Void

    init(onData: @escaping (ByteBuffer) -> Void, onEnd: @escaping (Channel) -> Void) {
        self.onData = onData
        self.onEnd = onEnd
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onData(unwrapInboundIn(data))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // End of file on the read side.
        if let e = event as? ChannelEvent, case .inputClosed = e { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onEnd(context.channel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
