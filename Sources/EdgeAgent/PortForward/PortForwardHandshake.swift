/// The two upgrades `kubectl port-forward` may ask for: WebSocket carrying
/// SPDY (subprotocol SPDY/3.1+portforward.k8s.io, what kubectl 1.31+ tries
/// first), or plain SPDY/3.1 with X-Stream-Protocol-Version portforward.k8s.io
/// (its fallback, and older clients).
enum PortForwardHandshake {
    static let protocolName = "portforward.k8s.io"
    static let tunnelledProtocol = "SPDY/3.1+portforward.k8s.io"

    static func response(headers: [(String, String)]) -> Result<([UInt8], PortForwardSession.Framing), AgentAPIError> {
        func values(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name }.flatMap { $0.1.split(separator: ",") }.map { $0.trimmedSpaces }
        }
        let upgrade = values("upgrade").map { $0.lowercased() }
        if upgrade.contains("websocket") {
            guard values("sec-websocket-protocol").contains(tunnelledProtocol) else {
                let offered = values("sec-websocket-protocol").joined(separator: ",")
                return .failure(.badRequest("unable to upgrade: requested protocol(s) [\(offered)] are not supported; supported: \(tunnelledProtocol)"))
            }
            switch WebSocketHandshake.response(headers: headers, supported: [tunnelledProtocol]) {
            case .failure(let e): return .failure(e)
            case .success(let ok): return .success((ok.bytes, .webSocket))
            }
        }
        guard upgrade.contains(where: { $0.hasPrefix("spdy/3.1") }) else {
            return .failure(.badRequest("Upgrade request required: port-forward is served over SPDY/3.1 or WebSocket (\(tunnelledProtocol))"))
        }
        let versions = values("x-stream-protocol-version")
        guard versions.contains(protocolName) else {
            return .failure(.badRequest("unable to upgrade: unable to negotiate protocol: client supports [\(versions.joined(separator: " "))], server supports [\(protocolName)]"))
        }
        let text = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: \(protocolName)\r\n\r\n"
        return .success((Array(text.utf8), .spdy))
    }
}
