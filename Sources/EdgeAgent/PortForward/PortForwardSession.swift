import NIOCore

/// One `kubectl port-forward` connection after the upgrade: a SPDY/3 session
/// (raw, or tunnelled in WebSocket binary messages as kubectl 1.31+ sends it)
/// in which every forwarded connection is a pair of client-created streams
/// with the same requestid: `error` (the client only reads it) and `data`.
/// Once both arrived, the pod's port is dialled; bytes flow both ways; the
/// client's FIN half-closes the pod connection; the pod's EOF ends the data
/// stream, then the error stream (empty when all went well, otherwise the
/// reason, which kubectl prints). Several pairs run at once on one session.
/// Everything here runs on the connection's event loop.
final class PortForwardSession: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Framing { case spdy, webSocket }

    struct Pair {
        var port = 0
        var errorStream: UInt32?
        var dataStream: UInt32?
        var pod: Channel?
        var dialing = false
        /// Client bytes that arrived before the pod connection was up.
        var pending: [ByteBuffer] = []
        var clientFinished = false
        var done = false
    }

    let framing: Framing
    let podName: String
    let dial: PortDialer
    private var context: ChannelHandlerContext?
    private var webSocket = WebSocketParser(requireMasked: true)
    private var parser = SPDYParser()
    private let codec: SPDYHeaderCodec?
    private var pairs: [String: Pair] = [:]
    private var requestOf: [UInt32: String] = [:]
    private var closed = false

    init(framing: Framing, podName: String, dial: @escaping PortDialer) {
        self.framing = framing
        self.podName = podName
        self.dial = dial
        codec = try? SPDYHeaderCodec()
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        switch framing {
        case .spdy:
            spdy(bytes)
        case .webSocket:
            do {
                for event in try webSocket.feed(bytes) {
                    switch event {
                    case .message(.binary, let payload): spdy(payload)
                    case .message: return shutdown(wsCode: 1003)
                    case .ping(let p): writeWebSocket(WebSocketFrame(opcode: .pong, payload: p))
                    case .pong: break
                    case .close: return shutdown(wsCode: 1000)
                    }
                }
            } catch {
                shutdown(wsCode: error.closeCode)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        for p in pairs.values { p.pod?.close(promise: nil) }
        pairs = [:]
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Pods are read only while the client keeps up.
        let on = context.channel.isWritable
        for p in pairs.values { _ = p.pod?.setOption(ChannelOptions.autoRead, value: on) }
        context.fireChannelWritabilityChanged()
    }

    // MARK: SPDY

    private func spdy(_ bytes: [UInt8]) {
        let frames: [SPDYFrame]
        do { frames = try parser.feed(bytes) } catch {
            send(.goAway(lastGood: 0, status: 1))
            return shutdown(wsCode: 1002)
        }
        for f in frames {
            switch f {
            case .synStream(let id, let flags, let block): opened(id, flags: flags, block)
            case .data(let id, let fin, let payload): clientData(id, fin: fin, payload)
            case .rstStream(let id, _): reset(id)
            case .ping(let id): send(.ping(id: id))
            case .goAway: return shutdown(wsCode: 1000)
            case .headers(_, _, let block): _ = try? codec?.decode(block) // keeps the compression context in step
            case .synReply, .settings, .windowUpdate, .other: break
            }
        }
    }

    private func opened(_ id: UInt32, flags: UInt8, _ block: [UInt8]) {
        guard let codec, let headers = try? codec.decode(block) else {
            send(.goAway(lastGood: 0, status: 1))
            return shutdown(wsCode: 1002)
        }
        guard let reply = try? codec.encode([]) else { return shutdown(wsCode: 1011) }
        send(.synReply(stream: id, flags: 0, headerBlock: reply))
        let type = headers["streamtype"] ?? ""
        guard let portText = headers["port"], let port = Int(portText), (1...65535).contains(port) else {
            return refuse(id, "invalid port header \"\(headers["port"] ?? "")\": must be 1-65535")
        }
        let request = headers["requestid"] ?? ""
        guard !request.isEmpty else { return refuse(id, "port-forward stream without a requestid header") }
        var pair = pairs[request] ?? Pair(port: port)
        switch type {
        case "error": pair.errorStream = id
        case "data": pair.dataStream = id
        default: return refuse(id, "invalid stream type \"\(type)\"")
        }
        requestOf[id] = request
        pairs[request] = pair
        if pair.errorStream != nil && pair.dataStream != nil && !pair.dialing { connect(request) }
    }

    private func refuse(_ id: UInt32, _ why: String) {
        send(.data(stream: id, fin: true, payload: Array(why.utf8)))
    }

    private func connect(_ request: String) {
        guard var pair = pairs[request], let context else { return }
        pair.dialing = true
        pairs[request] = pair
        let port = pair.port
        dial(port, context.eventLoop).hop(to: context.eventLoop).whenComplete { result in
            guard !self.closed, var p = self.pairs[request] else {
                if case .success(let ch) = result { ch.close(promise: nil) }
                return
            }
            switch result {
            case .failure(let error):
                self.finish(request, error: "error forwarding port \(port) to pod \(self.podName): \(error)")
            case .success(let ch):
                p.pod = ch
                let pending = p.pending
                p.pending = []
                self.pairs[request] = p
                _ = ch.pipeline.addHandler(PodConnectionRelay(session: self, request: request))
                for b in pending { ch.write(b, promise: nil) }
                ch.flush()
                if p.clientFinished { ch.close(mode: .output, promise: nil) }
                if let ctx = self.context, !ctx.channel.isWritable { _ = ch.setOption(ChannelOptions.autoRead, value: false) }
            }
        }
    }

    private func clientData(_ id: UInt32, fin: Bool, _ payload: [UInt8]) {
        guard let request = requestOf[id], var pair = pairs[request], pair.dataStream == id else { return }
        if !payload.isEmpty {
            let b = ByteBuffer(bytes: payload)
            if let pod = pair.pod { pod.writeAndFlush(b, promise: nil) } else { pair.pending.append(b) }
        }
        if fin {
            pair.clientFinished = true
            pair.pod?.close(mode: .output, promise: nil)
        }
        pairs[request] = pair
    }

    private func reset(_ id: UInt32) {
        guard let request = requestOf[id], let pair = pairs[request], pair.dataStream == id else { return }
        pair.pod?.close(promise: nil)
        forget(request)
    }

    private func forget(_ request: String) {
        if let p = pairs.removeValue(forKey: request) {
            if let e = p.errorStream { requestOf[e] = nil }
            if let d = p.dataStream { requestOf[d] = nil }
        }
    }

    // MARK: from the pod

    func podData(_ request: String, _ bytes: ByteBuffer) {
        guard let pair = pairs[request], let data = pair.dataStream else { return }
        var b = bytes
        // Frames of at most 32 KiB, as the client reads them.
        while b.readableBytes > 0 {
            let n = min(b.readableBytes, 32 * 1024)
            send(.data(stream: data, fin: false, payload: b.readBytes(length: n) ?? []), flush: false)
        }
        context?.flush()
    }

    func podClosed(_ request: String) {
        finish(request, error: nil)
    }

    /// Ends the pair: FIN on data, then the error text (if any) and FIN on error.
    private func finish(_ request: String, error: String?) {
        guard let pair = pairs[request], !pair.done else { return }
        if let d = pair.dataStream { send(.data(stream: d, fin: true, payload: []), flush: false) }
        if let e = pair.errorStream { send(.data(stream: e, fin: true, payload: Array((error ?? "").utf8)), flush: false) }
        context?.flush()
        pair.pod?.close(promise: nil)
        forget(request)
    }

    // MARK: writing

    private func send(_ frame: SPDYFrame, flush: Bool = true) {
        guard let context, !closed else { return }
        let bytes = frame.encoded
        switch framing {
        case .spdy: context.write(NIOAny(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        case .webSocket: context.write(NIOAny(context.channel.allocator.buffer(bytes: WebSocketFrame(opcode: .binary, payload: bytes).encoded())), promise: nil)
        }
        if flush { context.flush() }
    }

    private func writeWebSocket(_ frame: WebSocketFrame) {
        guard let context, !closed else { return }
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: frame.encoded())), promise: nil)
    }

    private func shutdown(wsCode: UInt16) {
        guard let context, !closed else { return }
        if framing == .webSocket { context.write(NIOAny(context.channel.allocator.buffer(bytes: WebSocketFrame.close(code: wsCode).encoded())), promise: nil) }
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0))).whenComplete { _ in context.close(promise: nil) }
    }
}
