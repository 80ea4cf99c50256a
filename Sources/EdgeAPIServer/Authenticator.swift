import EdgeAPI

/// One way of recognising a caller. The server tries each in order; the first
/// that answers decides. Returning nil means "not mine", throwing means "mine
/// and wrong" (a bad bearer token is 401, not anonymous).
public protocol Authenticator: Sendable {
    func authenticate(_ request: HTTPRequest) async throws -> UserInfo?
}

/// Users from a verified TLS client certificate: CN is the user, O the groups.
public struct ClientCertificateAuthenticator: Authenticator {
    public init() {}
    public func authenticate(_ request: HTTPRequest) async throws -> UserInfo? { request.clientCertificate }
}

/// Bearer tokens checked by a lookup function (static tokens, bootstrap tokens,
/// service account tokens plug in here).
public struct BearerTokenAuthenticator: Authenticator {
    let lookup: @Sendable (String) async throws -> UserInfo?

    public init(lookup: @escaping @Sendable (String) async throws -> UserInfo?) {
        self.lookup = lookup
    }

    public func authenticate(_ request: HTTPRequest) async throws -> UserInfo? {
        guard let h = request.headers["authorization"], h.hasPrefix("Bearer ") || h.hasPrefix("bearer ") else { return nil }
        let token = String(h.dropFirst(7)).trimmingCharacters(in: " ")
        guard let user = try await lookup(token) else { throw APIError.unauthorized }
        return user
    }
}

/// Service account JWTs this cluster signed. Other bearer tokens pass on to
/// the next authenticator; ours that fail a check are 401.
public struct ServiceAccountTokenAuthenticator: Authenticator {
    let tokens: ServiceAccountTokens
    let store: ObjectStore

    public init(tokens: ServiceAccountTokens, store: ObjectStore) {
        self.tokens = tokens
        self.store = store
    }

    public func authenticate(_ request: HTTPRequest) async throws -> UserInfo? {
        guard let h = request.headers["authorization"], h.hasPrefix("Bearer ") || h.hasPrefix("bearer ") else { return nil }
        do {
            return try await tokens.authenticate(String(h.dropFirst(7)).trimmingCharacters(in: " "), store: store)
        } catch .notOurs {
            return nil
        } catch {
            throw APIError.unauthorized
        }
    }
}
