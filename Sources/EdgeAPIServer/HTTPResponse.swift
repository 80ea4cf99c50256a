import EdgeAPI

/// What the API layer answers: a whole body, or a stream of chunks (watch).
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Each element is written and flushed as it arrives; the stream ending ends the response.
        case stream(AsyncStream<[UInt8]>)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public init(status: Int, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body ending in a newline, as upstream's encoder writes every object.
    public static func json(_ status: Int, _ value: JSON, headers: [(String, String)] = []) -> HTTPResponse {
        var bytes = JSONSerializer.serialize(value)
        bytes.append(0x0A)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(bytes))
    }

    /// Upstream sends a Retry-After header whenever the Status suggests a retry delay.
    public static func error(_ e: APIError) -> HTTPResponse {
        let retry = e.details?.retryAfterSeconds.flatMap { $0 > 0 ? [("Retry-After", String($0))] : nil } ?? []
        return json(e.code, e.status, headers: retry)
    }

    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }

    /// The bytes of a whole-body response (tests).
    public var bodyBytes: [UInt8] {
        if case .bytes(let b) = body { return b }
        return []
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}
