import EdgeAPI

/// What authenticators look at: the request's headers (names lower-cased) and
/// the identity of a TLS client certificate the handshake verified.
public struct AuthenticationRequest: Sendable {
    public var headers: [String: String]
    public var clientCertificate: UserInfo?

    public init(headers: [String: String] = [:], clientCertificate: UserInfo? = nil) {
        self.headers = headers
        self.clientCertificate = clientCertificate
    }

    /// The token of an `Authorization: Bearer <token>` header.
    public var bearerToken: String? {
        guard let h = headers["authorization"], h.hasPrefix("Bearer ") || h.hasPrefix("bearer ") else { return nil }
        return String(h.dropFirst(7)).trimmingCharacters(in: " ")
    }
}
