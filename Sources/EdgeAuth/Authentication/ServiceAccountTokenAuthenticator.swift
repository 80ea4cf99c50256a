import EdgeAPI
import EdgeRegistry

/// Service account JWTs this cluster signed. Other bearer tokens pass on to
/// the next authenticator; ours that fail a check are 401.
public struct ServiceAccountTokenAuthenticator: Authenticator {
    let tokens: ServiceAccountTokens
    let store: ObjectStore

    public init(tokens: ServiceAccountTokens, store: ObjectStore) {
        self.tokens = tokens
        self.store = store
    }

    public func authenticate(_ request: AuthenticationRequest) async throws -> UserInfo? {
        guard let token = request.bearerToken else { return nil }
        do {
            return try await tokens.authenticate(token, store: store)
        } catch .notOurs {
            return nil
        } catch {
            throw APIError.unauthorized
        }
    }
}
