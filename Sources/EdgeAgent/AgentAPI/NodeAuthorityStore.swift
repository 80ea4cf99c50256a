import EdgeAPI
import EdgeRuntime
import EdgeTLS
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Where the node's own CA (the one that signs the agent API's serving
/// certificate) comes from and goes to.
///
/// Kept in the agent's data dir (as kubelet keeps its self-signed pair in its
/// pki dir), so a client that pins the node's CA keeps trusting the node after
/// an agent restart. Files are read at start and written only when the CA
/// changes, never for a serving-certificate renewal alone: SD cards wear with
/// every write. Nothing on disk can stop the agent: a missing, cut-short,
/// swapped or mismatched pair is logged and replaced by a new CA.
struct NodeAuthorityStore: Sendable {
    /// Where the pair lives; nil keeps the CA in memory only (a test's short-lived server).
    let directory: String?
    let nodeName: String
    /// A new CA's lifetime (ten years; tests use seconds).
    let validity: CertificateValidity
    let logger: Logger

    static let certificateName = "serving-ca.crt"
    static let keyName = "serving-ca.key"
    /// Far larger than any PEM CA certificate or key: a file grown to any size cannot grow the agent.
    static let largestFile = 64 << 10

    var certificatePath: String? { directory.map { $0 + "/" + Self.certificateName } }
    var keyPath: String? { directory.map { $0 + "/" + Self.keyName } }

    struct Unusable: Error, CustomStringConvertible { let description: String }

    /// The CA to start with: the stored one while it can sign a certificate of
    /// `servingValidity` made now and outlast it; otherwise a new one, stored.
    func initial(outlasting servingValidity: CertificateValidity) throws -> AgentServingCertificate.Authority {
        guard let certificatePath, let keyPath else { return try make() }
        do {
            if let stored = try load() {
                // A CA not valid yet (a board's clock not set yet) is kept: it becomes
                // valid once the clock is right, and a new one made now would not.
                let now = Timestamp.now().seconds
                let (end, overflow) = now.addingReportingOverflow(servingValidity.expiresAfterSeconds)
                if !overflow && stored.notAfter > end {
                    logger.info("using the node's CA from \(certificatePath), valid until \(Timestamp(seconds: stored.notAfter).rfc3339)")
                    return stored
                }
                let expiry = Timestamp(seconds: stored.notAfter).rfc3339
                logger.info("the node's CA in \(certificatePath) expires at \(expiry), before a new serving certificate would; making a new one")
            }
        } catch {
            logger.warning("cannot use the node's CA in \(certificatePath) and \(keyPath): \(error); making a new one")
        }
        return try make()
    }

    /// The stored pair, checked to be a CA and its key; nil when neither file is there (the first start).
    func load() throws -> AgentServingCertificate.Authority? {
        guard let certificatePath, let keyPath else { return nil }
        let hasCertificate = PosixFile.exists(certificatePath)
        let hasKey = PosixFile.exists(keyPath)
        if !hasCertificate && !hasKey { return nil }
        guard hasCertificate else { throw Unusable(description: "\(certificatePath) is missing") }
        guard hasKey else { throw Unusable(description: "\(keyPath) is missing") }
        let certificate = try Self.read(certificatePath)
        let key = try Self.read(keyPath)
        try PKI.checkCA(certificatePEM: certificate, keyPEM: key)
        let info = try PKI.inspectCertificate(certificate)
        return AgentServingCertificate.Authority(certificatePEM: certificate, keyPEM: key, notBefore: info.notBefore, notAfter: info.notAfter)
    }

    /// A new CA, stored when there is a directory. A failed write is logged, not
    /// thrown: the agent serves with the CA in memory, and the next start makes another.
    func make() throws -> AgentServingCertificate.Authority {
        let key = try PKI.generateKey()
        let cert = try PKI.makeCA(keyPEM: key, commonName: "\(nodeName)-ca", validity: validity)
        let info = try PKI.inspectCertificate(cert)
        let made = AgentServingCertificate.Authority(certificatePEM: cert, keyPEM: key, notBefore: info.notBefore, notAfter: info.notAfter)
        if let directory, let certificatePath {
            do {
                try save(made)
                logger.info("made a new node CA, valid until \(Timestamp(seconds: made.notAfter).rfc3339), stored in \(certificatePath)")
            } catch {
                logger.warning("cannot store the node's new CA in \(directory): \(error); it is used until the agent restarts")
            }
        }
        return made
    }

    /// The key first, then the certificate, each replaced atomically and flushed:
    /// a crash between the two leaves a new key beside the old certificate, which
    /// `load` refuses as a mismatch, so the next start makes a new CA.
    func save(_ authority: AgentServingCertificate.Authority) throws {
        guard let directory, let certificatePath, let keyPath else { return }
        try PosixFile.makeDirectories(directory, mode: 0o700)
        try PosixFile.write(keyPath, Array(authority.keyPEM.utf8), mode: 0o600, durable: true)
        // Public, and what a client that pins the node copies.
        try PosixFile.write(certificatePath, Array(authority.certificatePEM.utf8), mode: 0o644, durable: true)
    }

    static func read(_ path: String) throws -> String {
        guard let text = SmallTextFile.read(path, limit: largestFile) else {
            throw Unusable(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard text.utf8.count <= largestFile else { throw Unusable(description: "\(path) is larger than \(largestFile) bytes") }
        return text
    }
}
