import XCTest
@testable import EdgeTLS
#if canImport(Glibc)
import Glibc
#endif

/// RFC 5758 section 3.2: the AlgorithmIdentifier of ecdsa-with-SHA256 has no
/// parameters (mbedtls 2.28 writes a NULL, which Python's cryptography
/// deprecates). Checked in both places of every certificate kind edgectl
/// issues and in its CSRs, with the signature verified by the issuer's key.
final class SignatureAlgorithmTests: XCTestCase {
    /// SEQUENCE { OID 1.2.840.10045.4.3.2 }, nothing else.
    static let ecdsaWithSHA256: [UInt8] = [0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]

    /// Certificate and CertificationRequest alike: SEQUENCE { signed body, AlgorithmIdentifier, BIT STRING }.
    struct Signed {
        let body: DERElement
        let algorithm: DERElement
        let signature: DERElement

        init(pem: String) throws {
            let der = try DERElement.pemBody(pem)
            let top = try DERElement(der[...])
            XCTAssertEqual(top.tag, 0x30)
            XCTAssertEqual(top.encoded.count, der.count, "nothing after the outer SEQUENCE")
            let parts = try top.children()
            guard parts.count == 3 else { throw DERElement.Malformed(description: "\(parts.count) parts, not 3") }
            (body, algorithm, signature) = (parts[0], parts[1], parts[2])
        }

        /// The AlgorithmIdentifier inside a TBSCertificate: after the optional [0] version and the serial number.
        func tbsSignatureAlgorithm() throws -> DERElement {
            let fields = try body.children()
            let index = fields.first?.tag == 0xa0 ? 2 : 1
            XCTAssertEqual(fields[index - 1].tag, 0x02, "serial number")
            return fields[index]
        }

        /// The BIT STRING's ECDSA-Sig-Value as fixed-width r||s, what ES256 verifies.
        func rawSignature() throws -> [UInt8] {
            XCTAssertEqual(signature.tag, 0x03)
            XCTAssertEqual(signature.content.first, 0, "no unused bits")
            let value = try DERElement(signature.content.dropFirst())
            XCTAssertEqual(value.encoded.count, signature.content.count - 1, "nothing after the ECDSA-Sig-Value")
            var raw: [UInt8] = []
            for integer in try value.children() {
                XCTAssertEqual(integer.tag, 0x02)
                let magnitude = integer.content.drop { $0 == 0 }
                guard magnitude.count <= 32 else { throw DERElement.Malformed(description: "integer over 32 bytes") }
                raw += [UInt8](repeating: 0, count: 32 - magnitude.count) + magnitude
            }
            return raw
        }
    }

    func assertCertificate(_ pem: String, signedBy issuerKey: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let cert = try Signed(pem: pem)
        XCTAssertEqual(Array(cert.algorithm.encoded), Self.ecdsaWithSHA256, "\(what): Certificate.signatureAlgorithm", file: file, line: line)
        XCTAssertEqual(Array(try cert.tbsSignatureAlgorithm().encoded), Self.ecdsaWithSHA256, "\(what): TBSCertificate.signature", file: file, line: line)
        XCTAssertTrue(ES256.verify(keyPEM: issuerKey, Array(cert.body.encoded), signature: try cert.rawSignature()),
                      "\(what): signature verifies with the issuer's key", file: file, line: line)
        XCTAssertNoThrow(try PKI.inspectCertificate(pem), "\(what): mbedtls parses it", file: file, line: line)
    }

    func testEveryCertificateKindNamesECDSAWithoutParametersAndVerifies() throws {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "edgectl-ca@1700000000")
        try assertCertificate(ca, signedBy: caKey, "cluster CA")

        // The API server's serving certificate, with as many names as a busy host has
        // (lengths in the two-byte long form).
        let servingKey = try PKI.generateKey()
        let serving = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: servingKey, subject: CertificateSubject(commonName: "edgectl-server"),
                                              dnsNames: ["localhost", "kubernetes", "kubernetes.default.svc.cluster.local"] + (0..<40).map { "name-\($0).example" },
                                              ipAddresses: ["127.0.0.1", "10.43.0.1", "fd00::1"], usage: .serverAuth, days: 365)
        try assertCertificate(serving, signedBy: caKey, "serving")
        XCTAssertEqual(try PKI.inspectCertificate(serving).dnsNames.count, 43)

        let adminKey = try PKI.generateKey()
        let admin = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: adminKey,
                                            subject: CertificateSubject(commonName: "admin", organizations: ["system:masters"]), usage: .clientAuth)
        try assertCertificate(admin, signedBy: caKey, "admin client")
        XCTAssertEqual(try PKI.inspectCertificate(admin).subject, CertificateSubject(commonName: "admin", organizations: ["system:masters"]))

        // etcd's server certificate serves and authenticates peers.
        let etcd = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: try PKI.generateKey(),
                                           subject: CertificateSubject(commonName: "etcd-a"), dnsNames: ["localhost"],
                                           ipAddresses: ["127.0.0.1"], usage: [.serverAuth, .clientAuth], days: 365)
        try assertCertificate(etcd, signedBy: caKey, "etcd peer")

        // A node's client certificate at join and at renewal: a CSR signed through certificates.k8s.io.
        let nodeKey = try PKI.generateKey()
        let csr = try PKI.makeCSR(keyPEM: nodeKey, subject: CertificateSubject(commonName: "system:node:n1", organizations: ["system:nodes"]))
        let node = try ClusterCertificateAuthority(caCertPEM: ca, caKeyPEM: caKey).sign(requestPEM: csr, usages: ["digital signature", "client auth"],
                                                                                            seconds: 86400)
        try assertCertificate(node, signedBy: caKey, "node client")
        XCTAssertEqual(try PKI.inspectCertificate(node).subject.commonName, "system:node:n1")

        // The node agent's serving certificate, under a CA of the node's own.
        let nodeCAKey = try PKI.generateKey()
        let nodeCA = try PKI.makeCA(keyPEM: nodeCAKey, commonName: "n1-ca")
        try assertCertificate(nodeCA, signedBy: nodeCAKey, "node agent CA")
        let kubelet = try PKI.signCertificate(caCertPEM: nodeCA, caKeyPEM: nodeCAKey, subjectKeyPEM: try PKI.generateKey(),
                                              subject: CertificateSubject(commonName: "n1"), dnsNames: ["n1", "localhost"],
                                              ipAddresses: ["10.0.0.5"], usage: .serverAuth, days: 365)
        try assertCertificate(kubelet, signedBy: nodeCAKey, "node agent serving")
    }

    func testCertificateRequestsNameECDSAWithoutParametersAndVerify() throws {
        let key = try PKI.generateKey()
        for subject in [CertificateSubject(commonName: "system:node:n1", organizations: ["system:nodes"]),
                        CertificateSubject(commonName: String(repeating: "n", count: 200), organizations: ["a", "b", "c"])] {
            let pem = try PKI.makeCSR(keyPEM: key, subject: subject)
            XCTAssertTrue(pem.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----\n"))
            let csr = try Signed(pem: pem)
            XCTAssertEqual(Array(csr.algorithm.encoded), Self.ecdsaWithSHA256, "CertificationRequest.signatureAlgorithm")
            XCTAssertTrue(ES256.verify(keyPEM: key, Array(csr.body.encoded), signature: try csr.rawSignature()), "self-signature verifies")
            XCTAssertFalse(ES256.verify(keyPEM: try PKI.generateKey(), Array(csr.body.encoded), signature: try csr.rawSignature()),
                           "the check can fail")
            XCTAssertEqual(try PKI.inspectCSR(pem).subject, subject, "mbedtls parses it and checks the self-signature")
        }
    }

    /// Clusters upgrade in place: a CA, certificates and requests written by a build
    /// that put the NULL in keep working, and what the new build signs with that CA is right.
    func testCertificatesFromOlderBuildsKeepWorking() throws {
        let old = OlderBuildPKI.self
        XCTAssertEqual(try Signed(pem: old.caCert).algorithm.content.count, 12, "the fixture carries the NULL")
        XCTAssertEqual(try PKI.inspectCertificate(old.caCert).subject.commonName, "edgectl-ca@1700000000")
        XCTAssertEqual(try PKI.inspectCertificate(old.serverCert).dnsNames, ["localhost"])
        XCTAssertEqual(try PKI.inspectCSR(old.nodeCSR).subject.commonName, "system:node:old")

        let renewed = try ClusterCertificateAuthority(caCertPEM: old.caCert, caKeyPEM: old.caKey)
            .sign(requestPEM: old.nodeCSR, usages: ["client auth"], seconds: 86400)
        try assertCertificate(renewed, signedBy: old.caKey, "signed by an older build's CA")
        XCTAssertEqual(try PKI.inspectCertificate(renewed).subject, CertificateSubject(commonName: "system:node:old", organizations: ["system:nodes"]))
        XCTAssertEqual(try openssl("verify -CAfile CA LEAF", ["CA": old.caCert, "LEAF": renewed]), 0)
        XCTAssertEqual(try openssl("verify -CAfile CA LEAF", ["CA": old.caCert, "LEAF": old.serverCert]), 0)
    }

    func testOpenSSLVerifiesWhatEdgectlSigns() throws {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "openssl-ca")
        let key = try PKI.generateKey()
        let leaf = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: key, subject: CertificateSubject(commonName: "s"),
                                           dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: .serverAuth)
        XCTAssertEqual(try openssl("verify -x509_strict -CAfile CA LEAF", ["CA": ca, "LEAF": leaf]), 0)
        XCTAssertEqual(try openssl("verify -x509_strict -CAfile CA LEAF", ["CA": ca, "LEAF": ca]), 0)
        let csr = try PKI.makeCSR(keyPEM: key, subject: CertificateSubject(commonName: "system:node:n1", organizations: ["system:nodes"]))
        XCTAssertEqual(try openssl("req -verify -noout -in LEAF", ["LEAF": csr]), 0)
        let other = try PKI.makeCA(keyPEM: try PKI.generateKey(), commonName: "openssl-ca")
        XCTAssertNotEqual(try openssl("verify -CAfile CA LEAF", ["CA": other, "LEAF": leaf]), 0, "the check can fail")
    }

    /// Runs `openssl` with each placeholder replaced by a file holding its PEM; the exit status.
    func openssl(_ arguments: String, _ files: [String: String]) throws -> Int32 {
        var command = "openssl " + arguments
        var paths: [String] = []
        defer { paths.forEach { unlink($0) } }
        for (placeholder, pem) in files {
            let path = "/tmp/edgectl-sigalg-\(getpid())-\(placeholder).pem"
            let file = try XCTUnwrap(fopen(path, "w"))
            fputs(pem, file)
            fclose(file)
            paths.append(path)
            command = command.split(separator: " ").map { $0 == placeholder ? path : String($0) }.joined(separator: " ")
        }
        let pipe = try XCTUnwrap(popen(command + " >/dev/null 2>&1", "r"))
        let status = pclose(pipe)
        return status
    }
}
