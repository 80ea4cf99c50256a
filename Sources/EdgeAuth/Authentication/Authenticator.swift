import EdgeAPI

/// One way of recognising a caller. The server tries each in order; the first
/// that answers decides. Returning nil means "not mine", throwing means "mine
/// and wrong" (a bad bearer token is 401, not anonymous).
public protocol Authenticator: Sendable {
    func authenticate(_ request: AuthenticationRequest) async throws -> UserInfo?
}

/// Users from a verified TLS client certificate: CN is the user, O the groups.
public struct ClientCertificateAuthenticator: Authenticator {
    public init() {}
    public func authenticate(_ request: AuthenticationRequest) async throws -> UserInfo? { request.clientCertificate }
}

/// Bearer tokens checked by a lookup function (static tokens plug in here).
public struct BearerTokenAuthenticator: Authenticator {
    let lookup: @Sendable (String) async throws -> UserInfo?

    public init(lookup: @escaping @Sendable (String) async throws -> UserInfo?) {
        self.lookup = lookup
    }

    public func authenticate(_ request: AuthenticationRequest) async throws -> UserInfo? {
        guard let token = request.bearerToken else { return nil }
        guard let user = try await lookup(token) else { throw APIError.unauthorized }
        return user
    }
}
