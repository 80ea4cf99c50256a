/// kubeadm-format join tokens `[a-z0-9]{6}.[a-z0-9]{16}`: the id is public
/// (it names the Secret `kube-system/bootstrap-token-<id>`), the secret part
/// is the credential.
public struct BootstrapToken: Sendable, Equatable, CustomStringConvertible {
    public let id: String
    public let secret: String

    public static let secretType = "bootstrap.kubernetes.io/token"
    public static let namespace = "kube-system"
    public static let defaultGroup = "system:bootstrappers:edgectl:default-node-token"
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 6, parts[1].count == 16,
              (parts[0] + parts[1]).allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        id = String(parts[0])
        secret = String(parts[1])
    }

    public init(id: String, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// A fresh random token (system random source).
    public static func generate() -> BootstrapToken {
        var rng = SystemRandomNumberGenerator()
        func word(_ n: Int) -> String { String((0..<n).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] }) }
        return BootstrapToken(id: word(6), secret: word(16))
    }

    public var description: String { id + "." + secret }
    public var secretName: String { "bootstrap-token-" + id }

    /// The Secret that stores the token, as kubeadm writes it.
    public func secretObject(expiration: Timestamp?, description: String?, groups: [String] = [defaultGroup]) -> JSON {
        var data: JSONObject = JSONObject()
        func put(_ k: String, _ v: String) { data[k] = .string(Base64.encode(v)) }
        put("token-id", id)
        put("token-secret", secret)
        put("usage-bootstrap-authentication", "true")
        put("usage-bootstrap-signing", "true")
        put("auth-extra-groups", groups.joined(separator: ","))
        if let expiration { put("expiration", expiration.rfc3339) }
        if let description, !description.isEmpty { put("description", description) }
        return ["apiVersion": "v1", "kind": "Secret", "type": .string(Self.secretType),
                "metadata": ["name": .string(secretName), "namespace": .string(Self.namespace)], "data": .object(data)]
    }

    /// A stored token Secret's field, decoded.
    public static func field(_ secret: JSON, _ key: String) -> String? {
        (secret[path: ["data", key]]?.string).flatMap(Base64.decode).map { String(decoding: $0, as: UTF8.self) }
    }

    /// When the token stops working, if it expires.
    public static func expiration(_ secret: JSON) -> Timestamp? { field(secret, "expiration").flatMap(Timestamp.init(rfc3339:)) }
}
