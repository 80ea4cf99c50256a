/// The cluster CA as a signer of certificate requests (CSRs arriving through
/// certificates.k8s.io): reads the requested subject, issues certificates.
public struct ClusterCertificateAuthority: Sendable {
    public let caCertPEM: String
    let caKeyPEM: String

    public init(caCertPEM: String, caKeyPEM: String) {
        self.caCertPEM = caCertPEM
        self.caKeyPEM = caKeyPEM
    }

    /// Subject of a PEM certificate request; throws if it does not parse or its self-signature is bad.
    public func requestSubject(_ requestPEM: String) throws -> (commonName: String, organizations: [String]) {
        let s = try PKI.inspectCSR(requestPEM).subject
        return (s.commonName, s.organizations)
    }

    /// A certificate for the request's key and subject. Usages are upstream's
    /// names ("client auth", "server auth"); `seconds` is the lifetime, under
    /// the signer policy of CertificateValidity.signing.
    public func sign(requestPEM: String, usages: [String], seconds: Int64) throws -> String {
        let info = try PKI.inspectCSR(requestPEM)
        var usage: PKI.Usage = []
        if usages.contains("client auth") { usage.insert(.clientAuth) }
        if usages.contains("server auth") { usage.insert(.serverAuth) }
        return try PKI.signCertificate(caCertPEM: caCertPEM, caKeyPEM: caKeyPEM, subjectKeyPEM: info.publicKeyPEM, subject: info.subject,
                                       usage: usage, validity: .signing(seconds: seconds))
    }
}
