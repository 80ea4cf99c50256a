import EdgeTLS
import NIOCore
import NIOPosix

/// One connection to PostgreSQL speaking the frontend/backend protocol 3.0: start-up, authentication
/// (trust, cleartext over TLS, SCRAM-SHA-256), the extended query protocol with binary parameters and
/// results and statements prepared once per connection, simple queries, and LISTEN/NOTIFY.
/// Used by one task at a time (the backend's pool hands it out); a connection that failed mid-way is
/// `broken` and must be dropped.
final class PostgresConnection: @unchecked Sendable {
    let channel: NIOAsyncChannel<PostgresBackendMessage, ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<PostgresBackendMessage>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var statements: [String: String] = [:]
    private var statementCounter = 0
    private(set) var broken = false
    /// Notifications that arrived while a query ran (LISTEN connections read them with `nextNotification`).
    private var notifications: [(channel: String, payload: String)] = []

    private init(_ channel: NIOAsyncChannel<PostgresBackendMessage, ByteBuffer>) {
        self.channel = channel
        inbound = channel.inbound.makeAsyncIterator()
        outbound = channel.outbound
    }

    /// Set by `close()`: the channel is closed already, so deinit must not touch it again (its event
    /// loop may be shut down by then, and NIO refuses work on a loop that has shut down).
    private var closed = false

    deinit {
        if closed { return }
        outbound.finish()
        channel.channel.close(promise: nil)
    }

    var isActive: Bool { !broken && channel.channel.isActive }

    func close() {
        if closed { return }
        if channel.channel.isActive {
            channel.channel.writeAndFlush(PostgresFrontend.terminate(), promise: nil)
        }
        outbound.finish()
        channel.channel.close(promise: nil)
        broken = true
        closed = true
    }

    static func connect(_ dsn: PostgresDSN, tls: DatastoreTLS, group: EventLoopGroup, timeout: Duration = .seconds(10)) async throws -> PostgresConnection {
        var tlsConfig: TLSConfiguration?
        var serverName: String?
        switch dsn.sslMode {
        case .disable: break
        case .require:
            tlsConfig = try TLSConfiguration.client(trustedCAPEM: nil, certificatePEM: tls.certificatePEM, keyPEM: tls.keyPEM)
        case .verifyFull:
            guard let ca = tls.caPEM else { throw PostgresError.connection("sslmode=verify-full needs --datastore-cafile") }
            tlsConfig = try TLSConfiguration.client(trustedCAPEM: ca, certificatePEM: tls.certificatePEM, keyPEM: tls.keyPEM)
            serverName = dsn.host
        }
        let negotiatorTLS = tlsConfig
        let name = serverName
        let ch: NIOAsyncChannel<PostgresBackendMessage, ByteBuffer>
        do {
            ch = try await ClientBootstrap(group: group)
                .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
                .connectTimeout(.seconds(5))
                .connect(host: dsn.host, port: dsn.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let negotiatorTLS {
                            try channel.pipeline.syncOperations.addHandler(PostgresSSLNegotiator(tls: negotiatorTLS, serverName: name))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PostgresFrameDecoder()))
                        return try NIOAsyncChannel<PostgresBackendMessage, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw PostgresError.connection("cannot connect to \(HostPort.join(dsn.host, dsn.port)): \(error)")
        }
        let conn = PostgresConnection(ch)
        do {
            try await withDeadline(timeout, onTimeout: { ch.channel.close(promise: nil) }) {
                try await conn.startUp(dsn, encrypted: negotiatorTLS != nil)
            }
        } catch DeadlineExceeded.exceeded {
            conn.close()
            throw PostgresError.connection("\(HostPort.join(dsn.host, dsn.port)) did not finish start-up within \(timeout)")
        } catch {
            conn.close()
            throw error
        }
        return conn
    }

    private func send(_ buffers: [ByteBuffer]) async throws {
        var all = ByteBuffer()
        for var b in buffers { all.writeBuffer(&b) }
        do { try await outbound.write(all) } catch {
            broken = true
            throw PostgresError.connection("write failed: \(error)")
        }
    }

    private func next() async throws -> PostgresBackendMessage {
        do {
            guard let m = try await inbound.next() else {
                broken = true
                throw PostgresError.connection("the server closed the connection")
            }
            return m
        } catch let e as PostgresError {
            broken = true
            throw e
        } catch {
            broken = true
            throw PostgresError.connection("read failed: \(error)")
        }
    }

    private func startUp(_ dsn: PostgresDSN, encrypted: Bool) async throws {
        try await send([PostgresFrontend.startup(user: dsn.user, database: dsn.database)])
        var scram: SCRAMSHA256?
        while true {
            let m = try await next()
            switch m.type {
            case PostgresBackendMessage.authentication:
                var b = m.body
                guard let code: Int32 = b.readInteger() else { throw PostgresError.protocolViolation("short Authentication message") }
                switch code {
                case 0: continue
                case 3:
                    guard let password = dsn.password else { throw PostgresError.authentication("the server asks for a password and the endpoint has none") }
                    guard encrypted else {
                        throw PostgresError.authentication("the server asks for the password in clear text over an unencrypted connection: use scram-sha-256 or sslmode=require")
                    }
                    try await send([PostgresFrontend.password(password)])
                case 10:
                    var mechanisms: [String] = []
                    while let s = b.readCString(), !s.isEmpty { mechanisms.append(s) }
                    guard mechanisms.contains("SCRAM-SHA-256") else {
                        throw PostgresError.authentication("the server offers \(mechanisms.joined(separator: ", ")); this client speaks SCRAM-SHA-256")
                    }
                    guard let password = dsn.password else { throw PostgresError.authentication("the server asks for a password and the endpoint has none") }
                    let s = SCRAMSHA256(password: password)
                    scram = s
                    try await send([PostgresFrontend.saslInitial(mechanism: "SCRAM-SHA-256", s.clientFirst)])
                case 11:
                    guard var s = scram else { throw PostgresError.protocolViolation("SASLContinue without SASL") }
                    let final = try s.clientFinal(serverFirst: b.readBytes(length: b.readableBytes) ?? [])
                    scram = s
                    try await send([PostgresFrontend.saslResponse(final)])
                case 12:
                    guard let s = scram else { throw PostgresError.protocolViolation("SASLFinal without SASL") }
                    try s.verify(serverFinal: b.readBytes(length: b.readableBytes) ?? [])
                case 5:
                    throw PostgresError.authentication("the server asks for an md5 password: set password_encryption and pg_hba.conf to scram-sha-256")
                default:
                    throw PostgresError.authentication("the server asks for an authentication method (\(code)) this client does not speak")
                }
            case PostgresBackendMessage.errorResponse:
                let (code, message) = m.errorFields()
                if code.hasPrefix("28") { throw PostgresError.authentication("\(message) (SQLSTATE \(code))") }
                throw PostgresError.server(code: code, message: message)
            case PostgresBackendMessage.readyForQuery:
                return
            default:
                continue // ParameterStatus, BackendKeyData, NoticeResponse
            }
        }
    }

    /// Runs one statement with parameters (extended protocol), returning its rows in binary form.
    @discardableResult
    func query(_ sql: String, _ params: [PostgresValue] = []) async throws -> [PostgresRow] {
        guard !broken else { throw PostgresError.connection("the connection broke earlier") }
        var out: [ByteBuffer] = []
        let name: String
        var fresh = false
        if let cached = statements[sql] { name = cached } else {
            statementCounter += 1
            name = "edgectl_\(statementCounter)"
            fresh = true
            out.append(PostgresFrontend.parse(name: name, sql: sql, types: params.map(\.oid)))
        }
        out += [PostgresFrontend.bind(statement: name, params), PostgresFrontend.execute(), PostgresFrontend.sync()]
        try await send(out)
        let (rows, failure) = try await rowsUntilReady()
        if let failure {
            if fresh { statements[sql] = nil }
            throw failure
        }
        if fresh { statements[sql] = name }
        return rows
    }

    /// Runs SQL text with no parameters (simple protocol; several statements allowed), rows as text.
    @discardableResult
    func simpleQuery(_ sql: String) async throws -> [PostgresRow] {
        guard !broken else { throw PostgresError.connection("the connection broke earlier") }
        try await send([PostgresFrontend.query(sql)])
        let (rows, failure) = try await rowsUntilReady()
        if let failure { throw failure }
        return rows
    }

    /// Reads a query's answer up to ReadyForQuery: its rows and the first error the server sent
    /// (after an error the server skips the rest of the request and still ends with ReadyForQuery).
    private func rowsUntilReady() async throws -> ([PostgresRow], PostgresError?) {
        var rows: [PostgresRow] = []
        var failure: PostgresError?
        while true {
            let m = try await next()
            switch m.type {
            case PostgresBackendMessage.dataRow: rows.append(try m.row())
            case PostgresBackendMessage.errorResponse:
                let (code, message) = m.errorFields()
                if failure == nil { failure = .server(code: code, message: message) }
            case PostgresBackendMessage.notification: keepNotification(m)
            case PostgresBackendMessage.readyForQuery: return (rows, failure)
            default: continue
            }
        }
    }

    private func keepNotification(_ m: PostgresBackendMessage) {
        var b = m.body
        _ = b.readInteger(as: Int32.self)
        let channel = b.readCString() ?? ""
        let payload = b.readCString() ?? ""
        if notifications.count < 1000 { notifications.append((channel, payload)) }
    }

    /// Waits for the next NOTIFY on a channel this connection LISTENs to.
    func nextNotification() async throws -> (channel: String, payload: String) {
        if !notifications.isEmpty { return notifications.removeFirst() }
        while true {
            let m = try await next()
            switch m.type {
            case PostgresBackendMessage.notification:
                keepNotification(m)
                return notifications.removeFirst()
            case PostgresBackendMessage.errorResponse:
                let (code, message) = m.errorFields()
                broken = true
                throw PostgresError.server(code: code, message: message)
            default: continue
            }
        }
    }
}
