import EdgeAPI
import EdgeTLS

/// The server half of the WebSocket opening handshake for the remote command
/// channel protocols kubectl offers.
enum WebSocketHandshake {
    /// Ours, most preferred first: v5 adds the close-stream signal (channel 255).
    static let supportedProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    static func acceptValue(key: String) -> String {
        Base64.encode(Digest.sha1(Array((key.trimmedSpaces + guid).utf8)))
    }

    /// The protocol to use among those the client offered (comma-separated, possibly over several headers).
    static func negotiate(offered: [String], supported: [String] = supportedProtocols) -> String? {
        let list = offered.flatMap { $0.split(separator: ",") }.map { $0.trimmedSpaces }
        return supported.first { list.contains($0) }
    }

    /// Checks an upgrade request's headers; returns the 101 response bytes, or why not.
    static func response(headers: [(String, String)], supported: [String] = supportedProtocols) -> Result<(bytes: [UInt8], protocol: String), AgentAPIError> {
        func values(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name }.map { $0.1 } }
        let upgrade = values("upgrade").joined(separator: ",").lowercased()
        let connection = values("connection").joined(separator: ",").lowercased()
        guard upgrade.contains("websocket"), connection.contains("upgrade") else {
            return .failure(.badRequest("unable to upgrade: missing upgrade headers in request"))
        }
        guard values("sec-websocket-version").first?.trimmedSpaces == "13" else {
            return .failure(.badRequest("unable to upgrade: only WebSocket version 13 is supported"))
        }
        guard let key = values("sec-websocket-key").first, !key.isEmpty else {
            return .failure(.badRequest("unable to upgrade: missing Sec-WebSocket-Key"))
        }
        let offered = values("sec-websocket-protocol")
        guard let proto = negotiate(offered: offered, supported: supported) else {
            return .failure(.badRequest("unable to upgrade: requested protocol(s) [\(offered.joined(separator: ","))] are not supported; supported: \(supported.joined(separator: ", "))"))
        }
        let text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: \(acceptValue(key: key))\r\nSec-WebSocket-Protocol: \(proto)\r\n\r\n"
        return .success((Array(text.utf8), proto))
    }
}
