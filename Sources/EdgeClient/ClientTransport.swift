import EdgeAPI

/// One API request as a client sends it.
public struct ClientRequest: Sendable {
    public var method: String
    /// Path plus query string (`/api/v1/namespaces/default/pods?watch=true`).
    public var uri: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }
}

public struct ClientResponse: Sendable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) {
        self.status = status
        self.body = body
    }
}

/// How requests reach an API server: in-process for the components inside
/// `edgectl server`, over HTTPS for agents on other machines. Components see
/// the same API either way, so moving one to another machine needs no new code.
public protocol ClientTransport: Sendable {
    func send(_ request: ClientRequest) async throws -> ClientResponse
    /// A streaming response (watch): the status, then body chunks as they come.
    func stream(_ request: ClientRequest) async throws -> (status: Int, chunks: AsyncThrowingStream<[UInt8], Error>)
}

/// A transport made of two functions; the server wires these straight to its
/// request handler, so in-process calls skip sockets and TLS entirely.
public struct FunctionTransport: ClientTransport {
    let sendFn: @Sendable (ClientRequest) async throws -> ClientResponse
    let streamFn: @Sendable (ClientRequest) async throws -> (status: Int, chunks: AsyncThrowingStream<[UInt8], Error>)

    public init(send: @escaping @Sendable (ClientRequest) async throws -> ClientResponse,
                stream: @escaping @Sendable (ClientRequest) async throws -> (status: Int, chunks: AsyncThrowingStream<[UInt8], Error>)) {
        self.sendFn = send
        self.streamFn = stream
    }

    public func send(_ request: ClientRequest) async throws -> ClientResponse { try await sendFn(request) }

    public func stream(_ request: ClientRequest) async throws -> (status: Int, chunks: AsyncThrowingStream<[UInt8], Error>) {
        try await streamFn(request)
    }
}
