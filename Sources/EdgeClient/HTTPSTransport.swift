import EdgeTLS
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Talks to a remote API server over HTTPS (mbedtls) with keep-alive
/// connections: a small pool for requests, a dedicated connection per watch.
/// Its client certificate can be replaced while it runs (node certificate
/// rotation); see useTLS.
public final class HTTPSTransport: ClientTransport, Sendable {
    public let host: String
    public let port: Int
    let current: Mutex<Credentials>
    let group: EventLoopGroup
    let idle = Mutex<[Connection]>([])
    let maxIdle = 8
    /// Open watch connections, so a change of credentials can close them too.
    let streams = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// The TLS configuration new connections use, and a count of how often it
    /// changed: a connection made under an older one is not reused.
    struct Credentials {
        var tls: TLSConfiguration
        var generation: Int
    }

    /// `server` is `https://host:port`.
    public init(server: String, tls: TLSConfiguration, group: EventLoopGroup) throws {
        guard server.hasPrefix("https://") else {
            throw TLSError("server URL must start with https:// (got \(server))")
        }
        var rest = String(server.dropFirst("https://".count))
        if rest.hasSuffix("/") { rest.removeLast() }
        if rest.hasPrefix("["), let end = rest.firstIndex(of: "]") {
            host = String(rest[rest.index(after: rest.startIndex)..<end])
            let after = rest[rest.index(after: end)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? 6443 : 6443
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...]) ?? 6443
        } else {
            host = rest
            port = 6443
        }
        self.current = Mutex(Credentials(tls: tls, generation: 0))
        self.group = group
    }

    /// Switches to new client credentials without disturbing callers, as
    /// client-go does when a kubelet's certificate rotates: later requests
    /// connect with `tls`, idle and watch connections made with the old
    /// certificate are closed (watchers reconnect and resume), and requests in
    /// flight finish on their connection, which is then dropped.
    public func useTLS(_ tls: TLSConfiguration) {
        current.withLock {
            $0.tls = tls
            $0.generation += 1
        }
        let stale = idle.withLock { pool -> [Connection] in
            defer { pool.removeAll() }
            return pool
        }
        for c in stale { c.channel.channel.close(promise: nil) }
        let watches = streams.withLock { open -> [any Channel] in
            defer { open.removeAll() }
            return Array(open.values)
        }
        for ch in watches { ch.close(promise: nil) }
    }

    final class Connection: @unchecked Sendable {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
        /// Credentials.generation it was made under.
        let generation: Int

        init(_ channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, generation: Int) throws {
            self.channel = channel
            self.generation = generation
            self.inbound = channel.inbound.makeAsyncIterator()
            self.outbound = channel.outbound
        }

        // NIO requires the writer to be finished before it goes away (a debug-build trap otherwise).
        deinit { outbound.finish() }
    }

    func connect() async throws -> Connection {
        let (tls, generation) = current.withLock { ($0.tls, $0.generation) }
        let host = self.host
        let ch = try await ClientBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try TLSHandler(configuration: tls, expectedServerName: host))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try Connection(ch, generation: generation)
    }

    var generation: Int { current.withLock { $0.generation } }

    func checkout() async throws -> Connection {
        if let c = idle.withLock({ $0.popLast() }), c.channel.channel.isActive, c.generation == generation { return c }
        return try await connect()
    }

    func checkin(_ c: Connection) {
        let fresh = generation
        let keep = idle.withLock { pool -> Bool in
            guard pool.count < maxIdle, c.generation == fresh else { return false }
            pool.append(c)
            return true
        }
        if !keep { c.channel.channel.close(promise: nil) }
    }

    func write(_ req: ClientRequest, on c: Connection) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        for (k, v) in req.headers { headers.add(name: k, value: v) }
        headers.add(name: "Content-Length", value: String(req.body.count))
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: req.method), uri: req.uri, headers: headers)
        // One write (one flush): fewer TLS records and system calls per request.
        var parts: [HTTPClientRequestPart] = [.head(head)]
        if !req.body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: req.body)))) }
        parts.append(.end(nil))
        try await c.outbound.write(contentsOf: parts)
    }

    public func send(_ request: ClientRequest) async throws -> ClientResponse {
        // A pooled connection may have been closed by the server while idle: retry once on a fresh one.
        for attempt in 0..<2 {
            let c = try await checkout()
            do {
                try await write(request, on: c)
                var status = 0
                var body: [UInt8] = []
                var keepAlive = true
                while let part = try await c.inbound.next() {
                    switch part {
                    case .head(let h):
                        status = Int(h.status.code)
                        keepAlive = h.isKeepAlive
                    case .body(var b): body += b.readBytes(length: b.readableBytes) ?? []
                    case .end:
                        if keepAlive { checkin(c) } else { c.channel.channel.close(promise: nil) }
                        return ClientResponse(status: status, body: body)
                    }
                }
                throw TLSError("the server closed the connection")
            } catch {
                c.channel.channel.close(promise: nil)
                if attempt == 1 || status(of: error) { throw error }
            }
        }
        throw TLSError("request failed")
    }

    private func status(of error: Error) -> Bool { error is CancellationError }

    public func stream(_ request: ClientRequest) async throws -> (status: Int, chunks: AsyncThrowingStream<[UInt8], Error>) {
        let c = try await connect()
        let id = ObjectIdentifier(c)
        let channel = c.channel.channel
        streams.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in _ = self?.streams.withLock { $0.removeValue(forKey: id) } }
        if c.generation != generation { channel.close(promise: nil) }
        try await write(request, on: c)
        var status = 0
        while let part = try await c.inbound.next() {
            if case .head(let h) = part { status = Int(h.status.code); break }
        }
        let stream = AsyncThrowingStream<[UInt8], Error> { cont in
            let task = Task {
                do {
                    while let part = try await c.inbound.next() {
                        switch part {
                        case .body(var b): cont.yield(b.readBytes(length: b.readableBytes) ?? [])
                        case .end: cont.finish(); c.channel.channel.close(promise: nil); return
                        case .head: break
                        }
                    }
                    cont.finish()
                } catch {
                    cont.finish(throwing: error)
                }
                c.channel.channel.close(promise: nil)
            }
            cont.onTermination = { _ in
                task.cancel()
                c.channel.channel.close(promise: nil)
            }
        }
        return (status, stream)
    }
}
