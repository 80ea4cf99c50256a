import EdgeAPI
import EdgeClient

/// The join token `edgectl server` offers at start, to a terminal that asked
/// for it: a valid token that already exists, or a new 24-hour one only when
/// none does, so restarts do not pile up tokens (`edgectl token list`).
enum ServerJoinToken {
    static let secrets = BuiltinResources.secrets
    static let lifetime: Int64 = 86400
    /// A token closer than this to its expiry is not offered: flashing and booting a board takes a while.
    static let minimumLeft: Int64 = 3600
    static let description = "made by edgectl server at start"

    struct Offer {
        var token: BootstrapToken
        var expires: Timestamp?
        var created: Bool
    }

    /// The token a stored Secret holds, when it can still be used to join for a while.
    static func usable(_ secret: JSON, now: Timestamp) -> (token: BootstrapToken, expires: Timestamp?)? {
        guard secret["type"]?.string == BootstrapToken.secretType,
              BootstrapToken.field(secret, "usage-bootstrap-authentication") == "true",
              let id = BootstrapToken.field(secret, "token-id"), let key = BootstrapToken.field(secret, "token-secret"),
              let token = BootstrapToken(id + "." + key) else { return nil }
        let expires = BootstrapToken.expiration(secret)
        if let expires, expires.seconds - now.seconds < minimumLeft { return nil }
        return (token, expires)
    }

    /// The longest-lived usable token, or a new one.
    static func offer(_ client: APIClient, now: Timestamp = .now()) async throws -> Offer {
        let items = try await client.list(secrets, namespace: BootstrapToken.namespace, fieldSelector: "type=\(BootstrapToken.secretType)").items
        let candidates = items.compactMap { Self.usable($0, now: now) }
        // Never-expiring first, then the latest expiry.
        func lasts(_ c: (token: BootstrapToken, expires: Timestamp?)) -> Int64 { c.expires?.seconds ?? Int64.max }
        if let best = candidates.max(by: { lasts($0) < lasts($1) }) {
            return Offer(token: best.token, expires: best.expires, created: false)
        }
        let token = BootstrapToken.generate()
        let expires = now.adding(seconds: lifetime)
        _ = try await client.create(secrets, namespace: BootstrapToken.namespace, token.secretObject(expiration: expires, description: description))
        return Offer(token: token, expires: expires, created: true)
    }
}
