import EdgeTLS
import NIOCore
import NIOHTTP1

/// The NIO end of the agent API: one request per connection (the API server
/// opens one per log or exec), authorised by the TLS client certificate, then
/// a streamed log response or a WebSocket upgrade handed to an ExecSession.
final class AgentHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let directory: any ContainerDirectory
    let launch: ExecLauncher
    let encoder: HTTPResponseEncoder
    let decoder: ByteToMessageHandler<HTTPRequestDecoder>
    /// Set once the TLS handshake verified a client certificate against the cluster CA.
    var peer: CertificateSubject?
    private var head: HTTPRequestHead?
    private var running: Task<Void, Never>?

    init(directory: any ContainerDirectory, launch: @escaping ExecLauncher, encoder: HTTPResponseEncoder,
         decoder: ByteToMessageHandler<HTTPRequestDecoder>) {
        self.directory = directory
        self.launch = launch
        self.encoder = encoder
        self.decoder = decoder
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? TLSHandshakeCompleted { peer = e.peer }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let h = head else { return }
            head = nil
            serve(context: context, h)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        running?.cancel() // stops a log follow whose client went away
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func serve(context: ChannelHandlerContext, _ h: HTTPRequestHead) {
        let path = h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = AgentQuery(path.count > 1 ? path[1] : "")
        guard let route = AgentRoute(method: h.method.rawValue, path: String(path[0])) else {
            return respond(context, AgentAPIError(status: 404, message: "404 page not found"))
        }
        let verb = h.method == .GET ? "get" : "create"
        if let refusal = AgentAuthorizer.check(peer, verb: verb, path: String(path[0])) { return respond(context, refusal) }
        do {
            switch route {
            case .healthz:
                respond(context, status: .ok, body: Array("ok".utf8))
            case .containerLogs(let ns, let pod, let container):
                let options = try LogOptions(query: query)
                let file = try ContainerLookup.logPath(directory, ns, pod, container, previous: options.previous)
                let directory = self.directory
                // A previous instance is never running: its log is read to the end and done.
                let streamer = LogStreamer(path: file, options: options, isRunning: {
                    !options.previous && directory.isRunning(namespace: ns, pod: pod, container: container)
                })
                streamLogs(context, streamer)
            case .exec(let ns, let pod, let container):
                let options = try ExecOptions(query: query)
                let target = try ContainerLookup.execTarget(directory, ns, pod, container)
                switch WebSocketHandshake.response(headers: h.headers.map { ($0.name, $0.value) }) {
                case .failure(let e): respond(context, e)
                case .success(let ok): upgrade(context, response: ok.bytes, session: ExecSession(options: options, target: target, protocolName: ok.protocol, launch: launch))
                }
            case .portForward(let ns, let pod):
                guard directory.containerNames(namespace: ns, pod: pod) != nil else {
                    throw AgentAPIError.notFound("pod \"\(pod)\" does not exist in namespace \"\(ns)\" on this node")
                }
                guard let netns = directory.networkNamespace(namespace: ns, pod: pod) else {
                    throw AgentAPIError.badRequest("pod \"\(pod)\" has no network namespace yet (it is not running)")
                }
                let (response, framing) = try PortForwardHandshake.response(headers: h.headers.map { ($0.name, $0.value) }).get()
                upgrade(context, response: response, session: PortForwardSession(framing: framing, podName: pod, dial: PodPortDialer.dialer(netns: netns)))
            }
        } catch let e as AgentAPIError {
            respond(context, e)
        } catch {
            respond(context, AgentAPIError(status: 500, message: "\(error)"))
        }
    }

    private func streamLogs(_ context: ChannelHandlerContext, _ streamer: LogStreamer) {
        let channel = context.channel
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Connection", value: "close")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        running = Task {
            do {
                try await streamer.run { chunk in
                    // Waiting for each write bounds memory to one chunk per follower.
                    try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: chunk)))).get()
                }
            } catch {
                // Headers are gone already; the client sees the stream end early.
            }
            try? await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            try? await channel.close()
        }
    }

    /// Switches the connection to WebSocket: the HTTP codec leaves the
    /// pipeline, the raw 101 goes out, and the session reads the frames.
    private func upgrade(_ context: ChannelHandlerContext, response: [UInt8], session: any ChannelHandler) {
        let ops = context.pipeline.syncOperations
        do {
            _ = ops.removeHandler(encoder)
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: response)), promise: nil)
            try ops.addHandler(session)
            _ = ops.removeHandler(context: context)
            _ = ops.removeHandler(decoder) // bytes after the request reach the session
        } catch {
            context.close(promise: nil)
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ e: AgentAPIError) {
        respond(context, status: HTTPResponseStatus(statusCode: e.status), body: Array(e.message.utf8))
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8]) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
