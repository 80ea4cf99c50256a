import EdgeTLS
import NIOCore

/// Asks the server for TLS before anything else is sent (SSLRequest), then puts the TLS handler under
/// itself and steps aside. Writes made meanwhile (the startup message) wait and go out encrypted.
/// A server that answers anything but 'S', or sends bytes before the handshake, is refused.
final class PostgresSSLNegotiator: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let tls: TLSConfiguration
    let serverName: String?
    private var held: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var done = false

    init(tls: TLSConfiguration, serverName: String?) {
        self.tls = tls
        self.serverName = serverName
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(PostgresFrontend.sslRequest()), promise: nil)
        context.fireChannelActive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if done { context.write(data, promise: promise) } else { held.append((unwrapOutboundIn(data), promise)) }
    }

    func flush(context: ChannelHandlerContext) {
        if done { context.flush() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if done { context.fireChannelRead(data); return }
        var buf = unwrapInboundIn(data)
        guard let answer: UInt8 = buf.readInteger() else { return }
        guard answer == UInt8(ascii: "S"), buf.readableBytes == 0 else {
            let why = answer == UInt8(ascii: "N") ? "the PostgreSQL server does not offer TLS (use sslmode=disable, or enable ssl on the server)"
                : "the PostgreSQL server answered the TLS request with unexpected bytes"
            fail(context, PostgresError.connection(why))
            return
        }
        do {
            try context.pipeline.syncOperations.addHandler(TLSHandler(configuration: tls, expectedServerName: serverName), position: .before(self))
        } catch {
            fail(context, PostgresError.connection("TLS set-up failed: \(error)"))
            return
        }
        done = true
        for (b, p) in held { context.write(wrapOutboundOut(b), promise: p) }
        held.removeAll()
        context.flush()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func fail(_ context: ChannelHandlerContext, _ error: Error) {
        for (_, p) in held { p?.fail(error) }
        held.removeAll()
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
