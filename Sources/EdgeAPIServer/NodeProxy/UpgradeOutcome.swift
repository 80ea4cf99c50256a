import NIOCore

/// What an upgrade request (exec over WebSocket) ends in: an ordinary answer
/// (a refusal), or a tunnel to the agent that already accepted the upgrade.
public enum UpgradeOutcome: Sendable {
    case response(HTTPResponse)
    /// `head`: the agent's 101 response, relayed to the client as is (its
    /// Sec-WebSocket-Accept answers the client's own key); `early`: bytes the
    /// agent sent right after it.
    case tunnel(agent: Channel, head: [UInt8], early: [UInt8], reader: UpgradeTunnelReader)
}

/// Opaque handle the tunnel switch uses to take the agent channel over.
public struct UpgradeTunnelReader: @unchecked Sendable {
    let handler: UpgradeResponseReader
}
