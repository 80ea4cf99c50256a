/// A refusal of the agent API, written as kubelet does: a status code and a
/// plain-text message (the API server wraps it into a Status for the client).
public struct AgentAPIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func badRequest(_ m: String) -> AgentAPIError { AgentAPIError(status: 400, message: m) }
    static func notFound(_ m: String) -> AgentAPIError { AgentAPIError(status: 404, message: m) }
    static let unauthorized = AgentAPIError(status: 401, message: "Unauthorized")
}
