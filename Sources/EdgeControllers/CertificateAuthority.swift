/// What the CSR controllers need from the cluster CA; the server passes the
/// real one (EdgeTLS's ClusterCertificateAuthority), tests may pass a fake.
public protocol CertificateAuthority: Sendable {
    func requestSubject(_ requestPEM: String) throws -> (commonName: String, organizations: [String])
    func sign(requestPEM: String, usages: [String], seconds: Int64) throws -> String
}
