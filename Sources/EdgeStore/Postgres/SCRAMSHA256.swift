import EdgeAPI
import EdgeTLS

/// The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL runs it: no channel binding,
/// the user name taken from the startup message. The password never crosses the wire; the server
/// proves it knows the verifier too (its signature is checked).
struct SCRAMSHA256 {
    let password: [UInt8]
    let clientNonce: String
    private(set) var clientFirstBare: String
    private var serverSignature: [UInt8] = []

    init(password: String, nonce: String? = nil) {
        self.password = Array(password.utf8)
        clientNonce = nonce ?? Self.randomNonce()
        clientFirstBare = "n=,r=\(clientNonce)"
    }

    static func randomNonce() -> String {
        var rng = SystemRandomNumberGenerator()
        return Base64.encode((0..<18).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// The SASLInitialResponse payload.
    var clientFirst: [UInt8] { Array(("n,," + clientFirstBare).utf8) }

    /// The server's first message in, the client's final message (with the proof) out.
    mutating func clientFinal(serverFirst bytes: [UInt8]) throws -> [UInt8] {
        let serverFirst = String(decoding: bytes, as: UTF8.self)
        var fields: [Character: String] = [:]
        for part in serverFirst.split(separator: ",") where part.count >= 2 && part.dropFirst().first == "=" {
            fields[part.first!] = String(part.dropFirst(2))
        }
        guard let nonce = fields["r"], nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count,
              let saltText = fields["s"], let salt = Base64.decode(saltText), !salt.isEmpty,
              let iterText = fields["i"], let iterations = UInt32(iterText), (1...1_000_000).contains(iterations) else {
            throw PostgresError.protocolViolation("the server's SCRAM-SHA-256 challenge is malformed")
        }
        let salted = Digest.pbkdf2SHA256(password: password, salt: salt, iterations: iterations)
        let clientKey = Digest.hmacSHA256(key: salted, Array("Client Key".utf8))
        let storedKey = Digest.sha256(clientKey)
        let withoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = Digest.hmacSHA256(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = Digest.hmacSHA256(key: salted, Array("Server Key".utf8))
        serverSignature = Digest.hmacSHA256(key: serverKey, authMessage)
        return Array("\(withoutProof),p=\(Base64.encode(proof))".utf8)
    }

    /// Checks the server's final message (its signature over the exchange).
    func verify(serverFinal bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasPrefix("v="), let sig = Base64.decode(String(text.dropFirst(2)).split(separator: ",").first.map(String.init) ?? ""),
              !serverSignature.isEmpty, sig == serverSignature else {
            throw PostgresError.authentication("the server's SCRAM-SHA-256 signature does not verify: it does not know the password")
        }
    }
}
