import EdgeAPI
import NIOCore
import NIOHTTP1

/// Serves a connection past the cap: whatever it asks gets 429 with upstream's
/// too-many-requests Status and a Retry-After, then the connection closes.
final class ConnectionRefusalHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let limit: Int

    init(limit: Int) { self.limit = limit }

    static func error(limit: Int) -> APIError {
        APIError(code: 429, reason: "TooManyRequests",
                 message: "Too many requests, please try again later: this API server already has \(limit) open connections (its --max-connections)",
                 details: .init(retryAfterSeconds: 1))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        HTTPRequestHandler.write(.error(Self.error(limit: limit)), version: head.version, keepAlive: false, to: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
