import NIOCore
import NIOHTTP1

/// Reads an agent's log response (NIO's HTTP client codec in front): the
/// status once the head arrives, then body chunks on demand. Reading pauses
/// while more than a few chunks wait, so a slow kubectl slows the agent
/// instead of filling the API server's memory.
final class AgentLogReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    /// Fulfilled at the head: (status, whole body when not 200).
    let head: EventLoopPromise<(Int, [UInt8])>
    private var status = 0
    private var errorBody: [UInt8] = []
    private var chunks: [[UInt8]] = []
    private var ended = false
    private var waiting: EventLoopPromise<[UInt8]?>?
    private var context: ChannelHandlerContext?
    private var paused = false
    static let highWater = 8

    init(head: EventLoopPromise<(Int, [UInt8])>) { self.head = head }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            status = Int(h.status.code)
            if status == 200 { head.succeed((200, [])) }
        case .body(let b):
            if status == 200 {
                deliver(Array(b.readableBytesView))
            } else {
                errorBody += b.readableBytesView
            }
        case .end:
            if status != 200 { head.succeed((status, errorBody)) }
            finish()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        head.fail(ChannelError.eof) // no-op once fulfilled
        finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        head.fail(error)
        context.close(promise: nil)
    }

    private func deliver(_ bytes: [UInt8]) {
        if let w = waiting {
            waiting = nil
            w.succeed(bytes)
            return
        }
        chunks.append(bytes)
        if chunks.count > Self.highWater && !paused, let context {
            paused = true
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
    }

    private func finish() {
        ended = true
        if let w = waiting { waiting = nil; w.succeed(nil) }
    }

    /// The next chunk, nil at the end. Call on the channel's event loop.
    func next(on loop: EventLoop) -> EventLoopFuture<[UInt8]?> {
        if !chunks.isEmpty {
            let c = chunks.removeFirst()
            if paused && chunks.count < 2, let context {
                paused = false
                context.channel.setOption(ChannelOptions.autoRead, value: true).whenSuccess { context.read() }
            }
            return loop.makeSucceededFuture(c)
        }
        if ended { return loop.makeSucceededFuture(nil) }
        let p = loop.makePromise(of: [UInt8]?.self)
        waiting = p
        return p.futureResult
    }
}
