import EdgeClient
import Synchronization

/// A transport over another that answers the requests `matching` picks with a
/// 500 Status while `refusing` is set: an API server that times out on some
/// writes, for tests of what a component says and does while they fail.
public final class RefusingTransport: ClientTransport, Sendable {
    public let refusing = Mutex(false)
    /// Requests answered with the refusal so far.
    public let refused = Mutex(0)
    let inner: any ClientTransport
    let matching: @Sendable (ClientRequest) -> Bool
    let status: [UInt8]

    public init(over inner: any ClientTransport, message: String = "etcdserver: request timed out",
                matching: @escaping @Sendable (ClientRequest) -> Bool) {
        self.inner = inner
        self.matching = matching
        // Plain text only: the message goes into the JSON as it is.
        precondition(!message.contains("\"") && !message.contains("\\"), "a refusal message without quotes or backslashes")
        status = Array(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"InternalError","code":500}"#.utf8)
    }

    public func send(_ request: ClientRequest) async throws -> ClientResponse {
        if refusing.withLock({ $0 }) && matching(request) {
            refused.withLock { $0 += 1 }
            return ClientResponse(status: 500, body: status)
        }
        return try await inner.send(request)
    }

    public func stream(_ request: ClientRequest) async throws -> (status: Int, chunks: AsyncThrowingStream<[UInt8], Error>) {
        try await inner.stream(request)
    }

    /// An API client over this transport.
    public var client: APIClient { APIClient(transport: self) }
}
