import EdgeAPI
import EdgeRegistry
import EdgeTLS

/// Service account tokens: JWTs signed ES256 with the cluster's service
/// account key, bound to the account's uid (and optionally a pod's) so a
/// token dies with what it was issued for.
public struct ServiceAccountTokens: Sendable {
    let keyPEM: String
    /// As upstream's default: the issuer doubles as the API server's audience.
    public static let issuer = "https://kubernetes.default.svc.cluster.local"
    public static let apiAudiences = [issuer]

    public init(keyPEM: String) { self.keyPEM = keyPEM }

    public struct Binding: Sendable {
        public var kind: String, name: String, uid: String
        public init(kind: String, name: String, uid: String) { self.kind = kind; self.name = name; self.uid = uid }
    }

    /// A signed token for namespace/name (uid) valid from `now` for `seconds`.
    public func issue(namespace: String, name: String, uid: String, audiences: [String], seconds: Int64,
                      now: Timestamp = .now(), boundTo: Binding? = nil) throws -> String {
        var k8s: JSON = ["namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)]]
        if let b = boundTo { k8s[b.kind.lowercased()] = ["name": .string(b.name), "uid": .string(b.uid)] }
        let claims: JSON = ["iss": .string(Self.issuer), "sub": .string("system:serviceaccount:\(namespace):\(name)"),
                            "aud": .array(audiences.map { .string($0) }), "iat": .int(now.seconds), "nbf": .int(now.seconds),
                            "exp": .int(now.seconds + seconds), "jti": .string(Identifiers.uuid()), "kubernetes.io": k8s]
        return try sign(claims)
    }

    func sign(_ claims: JSON) throws -> String {
        let header: JSON = ["alg": "ES256", "typ": "JWT"]
        let signingInput = Self.segment(JSONSerializer.serialize(header)) + "." + Self.segment(JSONSerializer.serialize(claims))
        return signingInput + "." + Self.segment(try ES256.sign(keyPEM: keyPEM, Array(signingInput.utf8)))
    }

    static func segment(_ bytes: [UInt8]) -> String {
        // base64url without padding, as JWS requires.
        String(Base64.encode(bytes).compactMap { c -> Character? in c == "=" ? nil : c == "+" ? "-" : c == "/" ? "_" : c })
    }

    /// The claims of a token this cluster signed, or nil for anything else.
    public func verifiedClaims(_ token: String) -> JSON? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let h = Base64.decode(parts[0]), let header = try? JSONParser.parse(h),
              header["alg"]?.string == "ES256", let sig = Base64.decode(parts[2]),
              ES256.verify(keyPEM: keyPEM, Array((parts[0] + "." + parts[1]).utf8), signature: sig),
              let body = Base64.decode(parts[1]), let claims = try? JSONParser.parse(body) else { return nil }
        return claims
    }

    public enum Rejection: Error, Equatable { case notOurs, invalid(String) }

    /// Checks a bearer token fully: signature, issuer, audience, lifetime, and
    /// that the account (and bound pod or secret) still exist with the same uid.
    public func authenticate(_ token: String, store: ObjectStore, now: Timestamp = .now()) async throws(Rejection) -> UserInfo {
        guard let c = verifiedClaims(token) else { throw .notOurs }
        guard c["iss"]?.string == Self.issuer else { throw .invalid("unknown issuer") }
        let aud = c["aud"]?.array?.compactMap(\.string) ?? c["aud"]?.string.map { [$0] } ?? []
        guard aud.contains(where: Self.apiAudiences.contains) else { throw .invalid("token audiences do not include the API server") }
        if let exp = c["exp"]?.int, exp <= now.seconds { throw .invalid("token has expired") }
        if let nbf = c["nbf"]?.int, nbf > now.seconds + 60 { throw .invalid("token is not valid yet") }
        guard let k8s = c["kubernetes.io"], let ns = k8s["namespace"]?.string, let name = k8s[path: ["serviceaccount", "name"]]?.string,
              let uid = k8s[path: ["serviceaccount", "uid"]]?.string else { throw .invalid("token lacks service account claims") }
        guard await Self.exists(store, BuiltinResources.serviceAccounts, ns, name, uid) else { throw .invalid("service account \(ns)/\(name) no longer exists") }
        for (kind, r) in [("pod", BuiltinResources.pods), ("secret", BuiltinResources.secrets)] {
            if let b = k8s[kind], !(await Self.exists(store, r, ns, b["name"]?.string ?? "", b["uid"]?.string ?? "")) {
                throw .invalid("the \(kind) the token is bound to no longer exists")
            }
        }
        return UserInfo(name: "system:serviceaccount:\(ns):\(name)",
                        groups: ["system:serviceaccounts", "system:serviceaccounts:\(ns)", "system:authenticated"])
    }

    static func exists(_ store: ObjectStore, _ r: ResourceInfo, _ ns: String, _ name: String, _ uid: String) async -> Bool {
        guard let obj = (try? await store.getIfExists(r, namespace: ns, name: name)) ?? nil else { return false }
        return obj[path: ["metadata", "uid"]]?.string == uid && obj[path: ["metadata", "deletionTimestamp"]] == nil
    }
}
