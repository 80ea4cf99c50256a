import EdgeAPI
import EdgeTLS
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// HTTP/1.1 to etcd's v3 JSON gateway (grpc-gateway, served on the client port): a small keep-alive
/// pool for unary calls and a connection of its own per watch or snapshot stream. Members are tried in
/// turn; the one that answered last is tried first (any member serves: followers forward to the leader).
final class EtcdTransport: Sendable {
    let endpoints: EtcdEndpoints
    let tls: TLSConfiguration?
    let group: EventLoopGroup
    let requestTimeout: Duration
    private let idle = Mutex<[Int: [Connection]]>([:])
    private let preferred = Mutex(0)
    private let maxIdlePerMember = 32

    init(endpoints: EtcdEndpoints, tls: DatastoreTLS, group: EventLoopGroup, requestTimeout: Duration = .seconds(10)) throws {
        self.endpoints = endpoints
        self.group = group
        self.requestTimeout = requestTimeout
        if endpoints.secure {
            do {
                self.tls = try TLSConfiguration.client(trustedCAPEM: tls.caPEM, certificatePEM: tls.certificatePEM, keyPEM: tls.keyPEM)
            } catch {
                throw StoreError.database("etcd TLS material (--datastore-cafile/--datastore-certfile/--datastore-keyfile) does not load: \(error)")
            }
        } else {
            self.tls = nil
        }
    }

    final class Connection: @unchecked Sendable {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
        let member: Int

        init(_ channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, member: Int) {
            self.channel = channel
            self.member = member
            inbound = channel.inbound.makeAsyncIterator()
            outbound = channel.outbound
        }

        deinit { outbound.finish() }

        func close() { channel.channel.close(promise: nil) }
    }

    private func connect(member index: Int) async throws -> Connection {
        let m = endpoints.members[index]
        let tls = self.tls
        let ch = try await ClientBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .connectTimeout(.seconds(3))
            .connect(host: m.host, port: m.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try TLSHandler(configuration: tls, expectedServerName: m.host)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return Connection(ch, member: index)
    }

    /// A connection to the first member that accepts one, starting with the preferred member.
    private func connectAny() async throws -> Connection {
        let start = preferred.withLock { $0 }
        var failures: [String] = []
        for i in 0..<endpoints.members.count {
            let index = (start + i) % endpoints.members.count
            do {
                let c = try await connect(member: index)
                preferred.withLock { $0 = index }
                return c
            } catch {
                let m = endpoints.members[index]
                failures.append("\(HostPort.join(m.host, m.port)): \(error)")
            }
        }
        throw StoreError.unavailable("etcd is unreachable (\(failures.joined(separator: "; ")))")
    }

    private func checkout() async throws -> Connection {
        let first = preferred.withLock { $0 }
        if let c = idle.withLock({ $0[first]?.popLast() }), c.channel.channel.isActive { return c }
        return try await connectAny()
    }

    private func checkin(_ c: Connection) {
        let keep = idle.withLock { pool -> Bool in
            guard pool[c.member, default: []].count < maxIdlePerMember else { return false }
            pool[c.member, default: []].append(c)
            return true
        }
        if !keep { c.close() }
    }

    /// Forgets a member that failed, so the next call starts with another.
    private func demote(_ member: Int) {
        preferred.withLock { if $0 == member { $0 = (member + 1) % endpoints.members.count } }
        let stale = idle.withLock { $0.removeValue(forKey: member) ?? [] }
        for c in stale { c.close() }
    }

    private func write(_ path: String, _ body: [UInt8], on c: Connection) async throws {
        let m = endpoints.members[c.member]
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: HostPort.join(m.host, m.port))
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        try await c.outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)))
        try await c.outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        try await c.outbound.write(.end(nil))
    }

    /// One unary call (`/v3/kv/range` ...): the JSON answer, or `EtcdError` for an error answer, or
    /// `StoreError.unavailable` when no member answers in time. A kept-alive connection that etcd closed
    /// before answering is replaced and the call sent once more; a call that timed out is never repeated,
    /// as a write could then apply twice.
    func call(_ path: String, _ request: JSON) async throws -> JSON {
        let body = JSONSerializer.serialize(request)
        for attempt in 0..<2 {
            let c = try await checkout()
            let answer: Answer
            do {
                answer = try await withDeadline(requestTimeout, onTimeout: { c.close() }) { () async throws -> Answer in
                    try await self.write(path, body, on: c)
                    var status = 0
                    var bytes: [UInt8] = []
                    var keepAlive = true
                    while let part = try await c.inbound.next() {
                        switch part {
                        case .head(let h):
                            status = Int(h.status.code)
                            keepAlive = h.isKeepAlive
                        case .body(var b): bytes += b.readBytes(length: b.readableBytes) ?? []
                        case .end: return .answered(status, bytes, keepAlive)
                        }
                    }
                    return status == 0 ? .closedBeforeAnswer : .broken
                }
            } catch DeadlineExceeded.exceeded {
                demote(c.member)
                throw StoreError.unavailable("etcd did not answer \(path) within \(requestTimeout)")
            } catch is CancellationError {
                c.close()
                throw CancellationError()
            } catch {
                c.close()
                demote(c.member)
                if attempt == 0 && Self.isConnectionReset(error) { continue }
                throw (error as? StoreError) ?? StoreError.unavailable("etcd request \(path) failed: \(error)")
            }
            switch answer {
            case .answered(let status, let bytes, let keepAlive):
                if keepAlive { checkin(c) } else { c.close() }
                return try Self.decode(status: status, bytes)
            case .closedBeforeAnswer where attempt == 0:
                c.close()
                continue
            case .closedBeforeAnswer, .broken:
                c.close()
                demote(c.member)
                throw StoreError.unavailable("etcd closed the connection during \(path)")
            }
        }
        throw StoreError.unavailable("etcd request \(path) failed")
    }

    enum Answer: Sendable {
        case answered(Int, [UInt8], Bool)
        case closedBeforeAnswer
        case broken
    }

    static func isConnectionReset(_ error: Error) -> Bool {
        if let e = error as? StoreError, case .unavailable = e { return true }
        return error is ChannelError || error is IOError
    }

    static func decode(status: Int, _ bytes: [UInt8]) throws -> JSON {
        let json: JSON
        do { json = try JSONParser.parse(bytes) } catch {
            throw StoreError.unavailable("etcd answered \(status) with a body that is not JSON")
        }
        if status != 200 || json["error"] != nil {
            throw EtcdError(status: status, code: json["code"]?.int ?? 2, message: json["message"]?.string ?? json["error"]?.string ?? "HTTP \(status)")
        }
        return json
    }

    /// A long-lived call (`/v3/watch`, `/v3/maintenance/snapshot`): its messages, one JSON object each,
    /// as the gateway writes them (newline-delimited). The stream ends when etcd closes it; cancelling the
    /// consumer closes the connection.
    func stream(_ path: String, _ request: JSON) async throws -> AsyncThrowingStream<JSON, Error> {
        let c = try await connectAny()
        do {
            try await withDeadline(requestTimeout, onTimeout: { c.close() }) {
                try await self.write(path, JSONSerializer.serialize(request), on: c)
            }
        } catch {
            c.close()
            demote(c.member)
            throw StoreError.unavailable("etcd stream \(path) could not start: \(error)")
        }
        return AsyncThrowingStream { cont in
            let task = Task {
                var status = 200
                var pending: [UInt8] = []
                do {
                    while let part = try await c.inbound.next() {
                        switch part {
                        case .head(let h): status = Int(h.status.code)
                        case .body(var b):
                            pending += b.readBytes(length: b.readableBytes) ?? []
                            while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                                let line = Array(pending[..<nl])
                                pending.removeFirst(nl + 1)
                                if line.allSatisfy({ $0 == 32 || $0 == 13 }) { continue }
                                cont.yield(try Self.streamMessage(status: status, line))
                            }
                        case .end:
                            if !pending.isEmpty { cont.yield(try Self.streamMessage(status: status, pending)) }
                            cont.finish(throwing: StoreError.unavailable("etcd ended the stream \(path)"))
                            c.close()
                            return
                        }
                    }
                    cont.finish(throwing: StoreError.unavailable("etcd closed the stream \(path)"))
                } catch {
                    cont.finish(throwing: (error as? EtcdError) ?? (error as? StoreError) ?? StoreError.unavailable("etcd stream \(path) broke: \(error)"))
                }
                c.close()
            }
            cont.onTermination = { _ in
                task.cancel()
                c.close()
            }
        }
    }

    /// One streamed message: `{"result": {...}}`, or `{"error": {...}}` when the stream fails.
    static func streamMessage(status: Int, _ line: [UInt8]) throws -> JSON {
        let json: JSON
        do { json = try JSONParser.parse(line) } catch {
            throw StoreError.unavailable("etcd streamed a message that is not JSON")
        }
        if let err = json["error"] {
            throw EtcdError(status: status, code: err["code"]?.int ?? json["code"]?.int ?? 2,
                            message: err["message"]?.string ?? err.string ?? "stream error")
        }
        if status != 200 {
            throw EtcdError(status: status, code: json["code"]?.int ?? 2, message: json["message"]?.string ?? "HTTP \(status)")
        }
        return json["result"] ?? json
    }

    func close() {
        let all = idle.withLock { pool -> [Connection] in
            defer { pool.removeAll() }
            return pool.values.flatMap { $0 }
        }
        for c in all { c.close() }
    }
}

enum DeadlineExceeded: Error { case exceeded }

/// Runs `body`, giving up after `limit` (then `onTimeout` runs, e.g. closing the connection the body waits on).
func withDeadline<T: Sendable>(_ limit: Duration, onTimeout: @escaping @Sendable () -> Void,
                               _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { g in
        g.addTask { try await body() }
        g.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { g.cancelAll() }
        guard let first = try await g.next() else { throw DeadlineExceeded.exceeded }
        guard let value = first else {
            onTimeout()
            throw DeadlineExceeded.exceeded
        }
        return value
    }
}
