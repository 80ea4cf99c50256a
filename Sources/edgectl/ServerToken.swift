import EdgeTLS

/// The cluster's server token, in k3s's form `K10<sha256 of the CA's public key>::server:<secret>`: what
/// another server presents to join (it receives the CA's key with it), never a node's join token. The
/// hash lets the joining server check the CA before it sends the secret. Kept in `<data-dir>/token`
/// (0600) on every server.
struct ServerToken: Equatable, CustomStringConvertible {
    /// `sha256:<hex>` as --ca-cert-hash.
    var caHash: String
    var secret: String

    static let prefix = "K10"

    struct Invalid: Error, CustomStringConvertible { let description: String }

    init(caHash: String, secret: String) {
        self.caHash = caHash
        self.secret = secret
    }

    init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: " \n\r\t")
        guard t.hasPrefix(Self.prefix), let sep = t.firstRange(of: "::server:") else {
            throw Invalid(description: "the server token must read K10<ca-hash>::server:<secret> (it is in <data-dir>/token on a server of the cluster)")
        }
        let hex = t[t.index(t.startIndex, offsetBy: Self.prefix.count)..<sep.lowerBound]
        let secret = String(t[sep.upperBound...])
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit), secret.count >= 16, secret.count <= 256 else {
            throw Invalid(description: "the server token is malformed: K10 then 64 hex digits, ::server:, and a secret of 16 to 256 characters")
        }
        caHash = "sha256:" + hex.lowercased()
        self.secret = secret
    }

    var description: String { Self.prefix + caHash.dropFirst("sha256:".count) + "::server:" + secret }

    static func generate(caPEM: String) throws -> ServerToken {
        var rng = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef")
        let secret = String((0..<32).map { _ in hex[Int.random(in: 0..<16, using: &rng)] })
        return ServerToken(caHash: try PKI.caCertHash(caPEM), secret: secret)
    }

    static func path(dataDir: String) -> String { dataDir + "/token" }

    /// The data dir's token; made (from `given`, else at random) when there is none, for this CA.
    static func ensure(dataDir: String, caPEM: String, given: String?) throws -> ServerToken {
        let path = path(dataDir: dataDir)
        let hash = try PKI.caCertHash(caPEM)
        if let given {
            let t = try given.hasPrefix(prefix) ? ServerToken(parsing: given) : ServerToken(caHash: hash, secret: given)
            guard t.caHash == hash else { throw Invalid(description: "--token names another cluster's CA (\(t.caHash)); this server's is \(hash)") }
            try FileSystem.write(path, t.description + "\n", mode: 0o600)
            return t
        }
        if FileSystem.exists(path) {
            let t = try ServerToken(parsing: try FileSystem.read(path))
            if t.caHash == hash { return t }
        }
        let t = try generate(caPEM: caPEM)
        try FileSystem.write(path, t.description + "\n", mode: 0o600)
        return t
    }

    /// Compares secrets in time independent of where they differ.
    static func sameSecret(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return diff == 0
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
