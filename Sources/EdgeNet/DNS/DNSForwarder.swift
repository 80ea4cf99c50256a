import NIOCore
import NIOPosix

/// Sends queries the cluster zone does not answer to the node's upstream
/// resolvers: over UDP from one socket (a fresh random id per query, answers
/// accepted only from the resolver asked), each resolver in turn with a
/// timeout; over TCP for clients that asked over TCP.
final class DNSForwarder: @unchecked Sendable {
    let upstreams: [SocketAddress]
    let timeout: TimeAmount
    private let group: EventLoopGroup
    private var channel: Channel?
    // Touched on `channel.eventLoop` only.
    private var pending: [UInt16: Pending] = [:]

    struct Pending {
        var promise: EventLoopPromise<[UInt8]>
        var query: [UInt8]
        var next: Int
        var upstream: SocketAddress
        var timer: Scheduled<Void>?
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(upstreams: [String], group: EventLoopGroup, timeout: TimeAmount = .seconds(2)) {
        self.upstreams = upstreams.compactMap { try? SocketAddress(ipAddress: $0, port: 53) }
        self.group = group
        self.timeout = timeout
    }

    init(upstreamAddresses: [SocketAddress], group: EventLoopGroup, timeout: TimeAmount = .seconds(2)) {
        upstreams = upstreamAddresses
        self.group = group
        self.timeout = timeout
    }

    func start() async throws {
        let ch = try await DatagramBootstrap(group: group)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Reader(owner: self)) } }
            .bind(host: "0.0.0.0", port: 0).get()
        channel = ch
    }

    func stop() { channel?.close(promise: nil) }

    /// The upstream answer with the client's id put back.
    func forward(_ query: DNSQuery, bytes: [UInt8], tcp: Bool) -> EventLoopFuture<[UInt8]> {
        guard let ch = channel, !upstreams.isEmpty else {
            return group.next().makeFailedFuture(Failure(description: "no upstream resolvers"))
        }
        if tcp { return forwardTCP(bytes, to: upstreams[0], loop: ch.eventLoop) }
        let loop = ch.eventLoop
        let promise = loop.makePromise(of: [UInt8].self)
        loop.execute {
            var id = UInt16.random(in: 0...UInt16.max)
            var tries = 0
            while self.pending[id] != nil && tries < 64 { id = UInt16.random(in: 0...UInt16.max); tries += 1 }
            guard self.pending[id] == nil else { return promise.fail(Failure(description: "too many queries in flight")) }
            var out = bytes
            out[0] = UInt8(id >> 8)
            out[1] = UInt8(id & 0xFF)
            self.pending[id] = Pending(promise: promise, query: out, next: 0, upstream: self.upstreams[0])
            self.send(id)
        }
        return promise.futureResult.map { answer in
            var a = answer
            a[0] = UInt8(query.id >> 8)
            a[1] = UInt8(query.id & 0xFF)
            return a
        }
    }

    private func send(_ id: UInt16) {
        guard let ch = channel, var p = pending[id] else { return }
        guard p.next < upstreams.count else {
            pending[id] = nil
            p.promise.fail(Failure(description: "no answer from the upstream resolvers"))
            return
        }
        p.upstream = upstreams[p.next]
        p.next += 1
        p.timer = ch.eventLoop.scheduleTask(in: timeout) { [weak self] in self?.send(id) }
        pending[id] = p
        ch.writeAndFlush(AddressedEnvelope(remoteAddress: p.upstream, data: ch.allocator.buffer(bytes: p.query)), promise: nil)
    }

    func received(_ bytes: [UInt8], from: SocketAddress) {
        guard bytes.count >= 12 else { return }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        guard let p = pending[id], p.upstream == from, bytes[2] & 0x80 != 0 else { return }
        pending[id] = nil
        p.timer?.cancel()
        p.promise.succeed(bytes)
    }

    final class Reader: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let owner: DNSForwarder
        init(owner: DNSForwarder) { self.owner = owner }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let env = unwrapInboundIn(data)
            owner.received(Array(env.data.readableBytesView), from: env.remoteAddress)
        }
        func errorCaught(context: ChannelHandlerContext, error: Error) {} // ICMP errors on a UDP socket: the timeout moves on
    }

    private func forwardTCP(_ query: [UInt8], to upstream: SocketAddress, loop: EventLoop) -> EventLoopFuture<[UInt8]> {
        let promise = loop.makePromise(of: [UInt8].self)
        ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(TCPAnswerReader(promise: promise)) } }
            .connect(to: upstream)
            .whenComplete { result in
                switch result {
                case .success(let ch):
                    var b = ch.allocator.buffer(capacity: query.count + 2)
                    b.writeInteger(UInt16(query.count))
                    b.writeBytes(query)
                    ch.writeAndFlush(b, promise: nil)
                    ch.eventLoop.scheduleTask(in: self.timeout * 2) { promise.fail(Failure(description: "upstream TCP timeout")); ch.close(promise: nil) }
                case .failure(let e): promise.fail(e)
                }
            }
        return promise.futureResult
    }

    final class TCPAnswerReader: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let promise: EventLoopPromise<[UInt8]>
        var buffer: [UInt8] = []
        init(promise: EventLoopPromise<[UInt8]>) { self.promise = promise }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            buffer += unwrapInboundIn(data).readableBytesView
            guard buffer.count >= 2 else { return }
            let n = Int(buffer[0]) << 8 | Int(buffer[1])
            guard buffer.count >= n + 2 else { return }
            promise.succeed(Array(buffer[2..<(n + 2)]))
            context.close(promise: nil)
        }
        func channelInactive(context: ChannelHandlerContext) { promise.fail(Failure(description: "upstream closed the TCP connection")) }
        func errorCaught(context: ChannelHandlerContext, error: Error) { promise.fail(error); context.close(promise: nil) }
    }
}
