import NIOCore
import Synchronization
@testable import EdgeImages

/// A fake RegistryTransport: answers each GET from a closure and records what
/// was asked, so authentication can be checked header by header.
final class ScriptedRegistry: RegistryTransport, @unchecked Sendable {
    struct Request: Sendable {
        var url: String
        var authorization: String?
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []

        static func json(_ text: String) -> Response {
            Response(status: 200, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
        }
        static func challenge(_ header: String) -> Response { Response(status: 401, headers: [("WWW-Authenticate", header)]) }
    }

    private let answer: @Sendable (Request) -> Response
    private let log = Mutex<[Request]>([])

    init(_ answer: @escaping @Sendable (Request) -> Response) { self.answer = answer }

    var requests: [Request] { log.withLock { $0 } }

    func get(_ url: RegistryURL, headers: [(String, String)],
             body: (HTTPResponseHead, ByteBuffer) throws -> Void) async throws -> HTTPResponseHead {
        let request = Request(url: url.description, authorization: headers.first { $0.0.lowercased() == "authorization" }?.1)
        log.withLock { $0.append(request) }
        let response = answer(request)
        let head = HTTPResponseHead(status: response.status, headers: response.headers)
        if !response.body.isEmpty { try body(head, ByteBufferAllocator().buffer(bytes: response.body)) }
        return head
    }
}
