import EdgeAPI
import EdgeRegistry

/// Join tokens: a bearer token in kubeadm's format is checked against its
/// Secret in kube-system (matching secret, not expired, marked for
/// authentication) and authenticates as system:bootstrap:<id> in
/// system:bootstrappers. Tokens of another shape pass to the next authenticator.
public struct BootstrapTokenAuthenticator: Authenticator {
    let store: ObjectStore

    public init(store: ObjectStore) { self.store = store }

    public func authenticate(_ request: AuthenticationRequest) async throws -> UserInfo? {
        guard let text = request.bearerToken, let token = BootstrapToken(text) else { return nil }
        guard let secret = try await store.getIfExists(BuiltinResources.secrets, namespace: BootstrapToken.namespace, name: token.secretName),
              secret["type"]?.string == BootstrapToken.secretType,
              secret[path: ["metadata", "deletionTimestamp"]] == nil,
              Self.constantTimeEqual(BootstrapToken.field(secret, "token-secret") ?? "", token.secret),
              BootstrapToken.field(secret, "usage-bootstrap-authentication") == "true" else { throw APIError.unauthorized }
        if let exp = BootstrapToken.expiration(secret), exp.seconds <= Timestamp.now().seconds { throw APIError.unauthorized }
        let extra = (BootstrapToken.field(secret, "auth-extra-groups") ?? "").split(separator: ",").map(String.init)
            .filter { $0.hasPrefix("system:bootstrappers:") }
        return UserInfo(name: "system:bootstrap:" + token.id, groups: ["system:bootstrappers"] + extra + ["system:authenticated"])
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
