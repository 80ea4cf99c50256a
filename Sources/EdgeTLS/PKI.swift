import CMbedTLS
#if canImport(Glibc)
import Glibc
#endif

/// The cluster's certificate authority operations: ECDSA P-256 keys, a
/// self-signed CA, serving and client certificates, CSRs, and the CA hash
/// that `edgectl join --ca-cert-hash` pins.
public enum PKI {
    public struct Usage: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let serverAuth = Usage(rawValue: 1)
        public static let clientAuth = Usage(rawValue: 2)
    }

    public static func generateKey() throws -> String {
        var out: UnsafeMutablePointer<CChar>?
        let (rc, err) = withErrorBuffer { edge_gen_ec_key(&out, $0, $1) }
        guard rc == 0 else { throw TLSError(err) }
        return takeString(out)
    }

    /// A self-signed CA certificate for `keyPEM`, `days` long (backdated for clock skew between nodes, as `.days`).
    public static func makeCA(keyPEM: String, commonName: String, days: Int = 3650) throws -> String {
        try makeCA(keyPEM: keyPEM, commonName: commonName, validity: .days(days))
    }

    /// As above, valid over `validity` (seconds around the moment of signing): a
    /// test can make a CA that runs out within seconds.
    public static func makeCA(keyPEM: String, commonName: String, validity: CertificateValidity) throws -> String {
        var out: UnsafeMutablePointer<CChar>?
        let dn = CertificateSubject(commonName: commonName).distinguishedName
        let (rc, err) = withErrorBuffer {
            edge_make_ca(keyPEM, dn, -validity.backdateSeconds, validity.expiresAfterSeconds, &out, $0, $1)
        }
        guard rc == 0 else { throw TLSError(err) }
        return takeString(out)
    }

    /// Throws unless `certificatePEM` is a CA certificate and `keyPEM` its private
    /// key: a CA read back from disk may be cut short, swapped or mismatched.
    public static func checkCA(certificatePEM: String, keyPEM: String) throws {
        let (rc, err) = withErrorBuffer { edge_check_ca(certificatePEM, keyPEM, $0, $1) }
        guard rc == 0 else { throw TLSError(err) }
    }

    /// A certificate for `subjectKeyPEM` (a private key or a public key from a CSR), signed by the CA, `days` long.
    public static func signCertificate(caCertPEM: String, caKeyPEM: String, subjectKeyPEM: String, subject: CertificateSubject,
                                       dnsNames: [String] = [], ipAddresses: [String] = [], usage: Usage, days: Int = 365) throws -> String {
        try signCertificate(caCertPEM: caCertPEM, caKeyPEM: caKeyPEM, subjectKeyPEM: subjectKeyPEM, subject: subject,
                            dnsNames: dnsNames, ipAddresses: ipAddresses, usage: usage, validity: .days(days))
    }

    /// As above, valid over `validity` (seconds around the moment of signing).
    public static func signCertificate(caCertPEM: String, caKeyPEM: String, subjectKeyPEM: String, subject: CertificateSubject,
                                       dnsNames: [String] = [], ipAddresses: [String] = [], usage: Usage,
                                       validity: CertificateValidity) throws -> String {
        var out: UnsafeMutablePointer<CChar>?
        let dn = subject.distinguishedName
        let dnsC = dnsNames.map { strdup($0) }
        let ipsC = ipAddresses.map { strdup($0) }
        defer { dnsC.forEach { free($0) }; ipsC.forEach { free($0) } }
        let dnsPtrs: [UnsafePointer<CChar>?] = dnsC.map { UnsafePointer($0) }
        let ipPtrs: [UnsafePointer<CChar>?] = ipsC.map { UnsafePointer($0) }
        let (rc, err) = withErrorBuffer { e, n in
            dnsPtrs.withUnsafeBufferPointer { d in
                ipPtrs.withUnsafeBufferPointer { i in
                    edge_sign_cert(caCertPEM, caKeyPEM, subjectKeyPEM, dn, d.baseAddress, Int32(d.count), i.baseAddress, Int32(i.count),
                                   usage.rawValue, -validity.backdateSeconds, validity.expiresAfterSeconds, &out, e, n)
                }
            }
        }
        guard rc == 0 else { throw TLSError(err) }
        return takeString(out)
    }

    public static func makeCSR(keyPEM: String, subject: CertificateSubject) throws -> String {
        var out: UnsafeMutablePointer<CChar>?
        let (rc, err) = withErrorBuffer { edge_make_csr(keyPEM, subject.distinguishedName, &out, $0, $1) }
        guard rc == 0 else { throw TLSError(err) }
        return takeString(out)
    }

    public struct CSRInfo: Sendable {
        public var subject: CertificateSubject
        public var publicKeyPEM: String
    }

    public static func inspectCSR(_ pem: String) throws -> CSRInfo {
        var subj: UnsafeMutablePointer<CChar>?
        var key: UnsafeMutablePointer<CChar>?
        let (rc, err) = withErrorBuffer { edge_csr_info(pem, &subj, &key, $0, $1) }
        guard rc == 0 else { throw TLSError(err) }
        return CSRInfo(subject: CertificateSubject(lines: takeString(subj)), publicKeyPEM: takeString(key))
    }

    public struct CertificateInfo: Sendable {
        public var subject: CertificateSubject
        /// Start of validity, seconds since the epoch.
        public var notBefore: Int64
        /// Expiry, seconds since the epoch.
        public var notAfter: Int64
        public var dnsNames: [String]
        public var ipAddresses: [String]
    }

    public static func inspectCertificate(_ pem: String) throws -> CertificateInfo {
        var subj: UnsafeMutablePointer<CChar>?
        var sans: UnsafeMutablePointer<CChar>?
        var notBefore: Int64 = 0
        var notAfter: Int64 = 0
        let (rc, err) = withErrorBuffer { edge_cert_info(pem, &subj, &notBefore, &notAfter, &sans, $0, $1) }
        guard rc == 0 else { throw TLSError(err) }
        var dns: [String] = []
        var ips: [String] = []
        for line in takeString(sans).split(separator: "\n") {
            if line.hasPrefix("DNS:") { dns.append(String(line.dropFirst(4))) } else if line.hasPrefix("IP:") { ips.append(String(line.dropFirst(3))) }
        }
        return CertificateInfo(subject: CertificateSubject(lines: takeString(subj)), notBefore: notBefore, notAfter: notAfter,
                               dnsNames: dns, ipAddresses: ips)
    }

    /// Whether an older build signed the certificate with the NULL parameter after
    /// ecdsa-with-SHA256, which RFC 5758 leaves out and Python's cryptography deprecates.
    public static func hasNullSignatureParameters(_ pem: String) throws -> Bool {
        var hasNull: Int32 = 0
        let (rc, err) = withErrorBuffer { edge_cert_has_ecdsa_null(pem, &hasNull, $0, $1) }
        guard rc == 0 else { throw TLSError(err) }
        return hasNull != 0
    }

    /// Whether the server should sign `pem` again at start: it expires within
    /// `renewBefore` seconds of `now`, or an older build signed it with the NULL
    /// signature parameter. The serving certificate always renewed a month ahead;
    /// the admin and apiserver-kubelet-client certificates (one year) did not.
    public static func needsReissue(_ pem: String, now: Int64, renewBefore: Int64 = 30 * 86_400) throws -> Bool {
        let (limit, overflow) = now.addingReportingOverflow(renewBefore)
        return try inspectCertificate(pem).notAfter < (overflow ? .max : limit) || hasNullSignatureParameters(pem)
    }

    /// `sha256:<hex>` of the certificate's SubjectPublicKeyInfo, as kubeadm's --discovery-token-ca-cert-hash.
    public static func caCertHash(_ pem: String) throws -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let (rc, err) = withErrorBuffer { e, n in digest.withUnsafeMutableBufferPointer { edge_spki_sha256(pem, $0.baseAddress, e, n) } }
        guard rc == 0 else { throw TLSError(err) }
        let hex = Array("0123456789abcdef")
        return "sha256:" + String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }
}
