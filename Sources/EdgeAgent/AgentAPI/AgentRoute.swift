import EdgeAPI
/// What an agent API request asks for, from its method and path.
enum AgentRoute: Equatable {
    case containerLogs(namespace: String, pod: String, container: String)
    case exec(namespace: String, pod: String, container: String)
    /// kubelet's /portForward/{namespace}/{pod}: SPDY, or SPDY tunnelled in WebSocket.
    case portForward(namespace: String, pod: String)
    case healthz

    /// nil: no such path (404), or a method the path does not take (405 is not worth telling apart here).
    init?(method: String, path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { PercentEncoding.decode($0, plusIsSpace: false) }
        switch (method, parts.first) {
        case ("GET", "healthz") where parts.count == 1:
            self = .healthz
        case ("GET", "containerLogs") where parts.count == 4:
            self = .containerLogs(namespace: parts[1], pod: parts[2], container: parts[3])
        case ("GET", "exec") where parts.count == 4, ("POST", "exec") where parts.count == 4:
            self = .exec(namespace: parts[1], pod: parts[2], container: parts[3])
        case ("GET", "portForward") where parts.count == 3, ("POST", "portForward") where parts.count == 3:
            self = .portForward(namespace: parts[1], pod: parts[2])
        default:
            return nil
        }
    }
}
