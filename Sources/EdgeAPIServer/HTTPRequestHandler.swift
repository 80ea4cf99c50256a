import EdgeAPI
import EdgeTLS
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// The thin NIO end of the API server: gathers one request (refusing bodies
/// over the limit), hands it to APIService on a task, and writes the answer,
/// streaming chunk by chunk for watches. Requests on a connection are served one
/// at a time (the pipelining handler in front holds later ones back).
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let service: APIService
    let maxBody: Int
    /// The connection's clock (read-header and idle timeouts); nil in tests that run without one.
    let deadline: ConnectionDeadline?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var running: Task<Void, Never>?
    /// The connection deadline's number for the request being gathered.
    private var requestNumber = 0
    /// Set from the TLS layer once the handshake verified a client certificate.
    var peer: UserInfo?
    /// The client certificate's expiry (seconds since the epoch): the handshake checked it once,
    /// but a kept-alive connection outlives it, and upstream judges the certificate per request.
    var peerNotAfter: Int64?

    init(service: APIService, maxBody: Int = APIService.maxBodyBytes, deadline: ConnectionDeadline? = nil) {
        self.service = service
        self.maxBody = maxBody
        self.deadline = deadline
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? TLSHandshakeCompleted, let subject = e.peer {
            peer = UserInfo(name: subject.commonName, groups: subject.organizations + ["system:authenticated"])
            peerNotAfter = try? PKI.inspectCertificate(e.peerChainPEM).notAfter
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            requestNumber = deadline?.requestStarted() ?? 0
            head = h
            body = []
            tooLarge = false
            if let len = h.headers.first(name: "content-length").flatMap(Int.init), len > maxBody { tooLarge = true }
        case .body(var buf):
            if tooLarge { return }
            if body.count + buf.readableBytes > maxBody {
                tooLarge = true
                body = []
                return
            }
            body += buf.readBytes(length: buf.readableBytes) ?? []
        case .end:
            guard let h = head else { return }
            head = nil
            dispatch(context: context, head: h)
        }
    }

    private func dispatch(context: ChannelHandlerContext, head h: HTTPRequestHead) {
        let keepAlive = h.isKeepAlive
        let channel = context.channel
        if tooLarge {
            let e = APIError(code: 413, reason: "RequestEntityTooLarge",
                             message: "Request entity too large: limit is \(maxBody)")
            Self.write(HTTPResponse.error(e), version: h.version, keepAlive: false, to: channel)
            return
        }
        var headers: [String: String] = [:]
        for (name, value) in h.headers {
            let k = name.lowercased()
            headers[k] = headers[k].map { $0 + "," + value } ?? value
        }
        // An expired certificate no longer names anyone: the request is then as if it had none (401 unless it has other credentials).
        let certificateValid = peerNotAfter.map { Int64(time(nil)) <= $0 } ?? true
        var req = HTTPRequest(method: h.method.rawValue, uri: h.uri, headers: headers, body: body, clientCertificate: certificateValid ? peer : nil)
        req.remoteAddress = context.channel.remoteAddress?.ipAddress
        body = []
        let service = self.service
        let version = h.version
        let isHead = h.method == .HEAD
        if req.headers["upgrade"] != nil && h.method != .HEAD {
            running = Self.serveUpgrade(service, req, version: version, channel: channel)
            return
        }
        // Cancelling a finished task is harmless, so `running` is simply replaced by the next request.
        let onLoop = Self.runsOnEventLoop(h.method)
        running = Self.serve(service, req, version: version, keepAlive: keepAlive, headOnly: isHead, channel: channel,
                             deadline: deadline.map { ($0, requestNumber) }, executor: onLoop ? loopExecutor(context.eventLoop) : nil)
    }

    /// Writes run on the connection's event loop (see EventLoopTaskExecutor); everything else on the task pool.
    static func runsOnEventLoop(_ method: HTTPMethod) -> Bool {
        switch method {
        case .POST, .PUT, .PATCH, .DELETE: return true
        default: return false
        }
    }

    private var executor: EventLoopTaskExecutor?

    /// One executor per connection (a connection stays on its loop).
    private func loopExecutor(_ loop: any EventLoop) -> EventLoopTaskExecutor {
        if let executor { return executor }
        let e = EventLoopTaskExecutor(loop)
        executor = e
        return e
    }

    static func serve(_ service: APIService, _ req: HTTPRequest, version: HTTPVersion, keepAlive: Bool, headOnly: Bool,
                      channel: any Channel, deadline: (ConnectionDeadline, Int)? = nil,
                      executor: EventLoopTaskExecutor? = nil) -> Task<Void, Never> {
        Task(executorPreference: executor) {
            let resp = await service.handle(req)
            // Answered and kept alive: from now the connection idles until its next request.
            var finished: (@Sendable () -> Void)?
            if keepAlive, let (clock, number) = deadline { finished = { clock.responseFinished(number) } }
            if case .bytes(let bytes) = resp.body {
                writeWhole(resp, bytes, version: version, keepAlive: keepAlive, headOnly: headOnly, to: channel, then: finished)
                return
            }
            await send(resp, version: version, keepAlive: keepAlive, headOnly: headOnly, to: channel)
            if let finished { channel.eventLoop.execute(finished) }
        }
    }

    /// An upgrade ends the HTTP conversation either way: a refusal closes, an accepted exec becomes a tunnel.
    static func serveUpgrade(_ service: APIService, _ req: HTTPRequest, version: HTTPVersion, channel: any Channel) -> Task<Void, Never> {
        Task {
            switch await service.upgrade(req) {
            case .response(let resp):
                await send(resp, version: version, keepAlive: false, headOnly: false, to: channel)
            case .tunnel(let agent, let head, let early, let reader):
                TunnelSwitch.connect(client: channel, agent: agent, head: head, early: early, reader: reader)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client went away: stop whatever was serving it (a watch, mostly).
        running?.cancel()
        running = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    static func responseHead(_ resp: HTTPResponse, version: HTTPVersion, keepAlive: Bool, length: Int?) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        for (k, v) in resp.headers where k.lowercased() != "transfer-encoding" { headers.add(name: k, value: v) }
        if let length { headers.replaceOrAdd(name: "Content-Length", value: String(length)) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        return HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: resp.status), headers: headers)
    }

    static func write(_ resp: HTTPResponse, version: HTTPVersion, keepAlive: Bool, to channel: Channel) {
        let bytes = resp.bodyBytes
        channel.write(HTTPServerResponsePart.head(responseHead(resp, version: version, keepAlive: keepAlive, length: bytes.count)), promise: nil)
        channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))), promise: nil)
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    /// A whole response in one hop to the event loop, and none back: head, body and
    /// end written there together (three writes from the task each woke the loop on
    /// their own), and what follows the flush (closing, the idle clock) runs there too,
    /// so the task ends instead of waiting to be resumed. Per create this saved a few
    /// of the futex wake-ups that were a seventh of the server's CPU.
    static func writeWhole(_ resp: HTTPResponse, _ bytes: [UInt8], version: HTTPVersion, keepAlive: Bool, headOnly: Bool,
                           to channel: Channel, then finished: (@Sendable () -> Void)?) {
        let head = responseHead(resp, version: version, keepAlive: keepAlive, length: bytes.count)
        let buffer = headOnly ? nil : channel.allocator.buffer(bytes: bytes)
        let writeAll: @Sendable () -> Void = {
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            if let buffer { channel.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil) }
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if keepAlive { finished?() } else { channel.close(promise: nil) }
            }
        }
        // A task running on the loop (a write, see EventLoopTaskExecutor) writes at once.
        if channel.eventLoop.inEventLoop { writeAll() } else { channel.eventLoop.execute(writeAll) }
    }

    static func send(_ resp: HTTPResponse, version: HTTPVersion, keepAlive: Bool, headOnly: Bool, to channel: Channel) async {
        switch resp.body {
        case .bytes(let bytes):
            let head = responseHead(resp, version: version, keepAlive: keepAlive, length: bytes.count)
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            if !headOnly {
                channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))), promise: nil)
            }
            try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            if !keepAlive { try? await channel.close() }
        case .stream(let chunks):
            let head = responseHead(resp, version: version, keepAlive: keepAlive, length: nil)
            do {
                try await channel.writeAndFlush(HTTPServerResponsePart.head(head)).get()
                for await chunk in chunks {
                    // Waiting for each write bounds memory: a slow reader slows its own watch only.
                    try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: chunk)))).get()
                }
                try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
                if !keepAlive { try? await channel.close() }
            } catch {
                try? await channel.close()
            }
        }
    }
}
