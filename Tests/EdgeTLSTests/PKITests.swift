import XCTest
@testable import EdgeTLS
#if canImport(Glibc)
import Glibc
#endif

final class PKITests: XCTestCase {
    func testCertificatesCarrySubjectSANsAndUsage() throws {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "test-ca")
        let key = try PKI.generateKey()
        let serving = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: key,
                                              subject: CertificateSubject(commonName: "server"),
                                              dnsNames: ["localhost", "node-1"], ipAddresses: ["127.0.0.1", "10.1.2.3", "::1"],
                                              usage: .serverAuth, days: 30)
        let info = try PKI.inspectCertificate(serving)
        XCTAssertEqual(info.subject.commonName, "server")
        XCTAssertEqual(info.dnsNames, ["localhost", "node-1"])
        XCTAssertEqual(info.ipAddresses, ["127.0.0.1", "10.1.2.3", "::1"])
        XCTAssertGreaterThan(info.notAfter, Int64(time(nil)) + 29 * 86400)
        let client = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: key,
                                             subject: CertificateSubject(commonName: "admin", organizations: ["system:masters", "ops,team"]),
                                             usage: .clientAuth)
        XCTAssertEqual(try PKI.inspectCertificate(client).subject, CertificateSubject(commonName: "admin", organizations: ["system:masters", "ops,team"]))
        XCTAssertThrowsError(try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: key, subject: CertificateSubject(commonName: "x"),
                                                     ipAddresses: ["not-an-ip"], usage: .serverAuth))
        XCTAssertThrowsError(try PKI.inspectCertificate("garbage"))
    }

    func testCSRRoundTripAndSigning() throws {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "test-ca")
        let nodeKey = try PKI.generateKey()
        let csr = try PKI.makeCSR(keyPEM: nodeKey, subject: CertificateSubject(commonName: "system:node:n1", organizations: ["system:nodes"]))
        let info = try PKI.inspectCSR(csr)
        XCTAssertEqual(info.subject.commonName, "system:node:n1")
        XCTAssertEqual(info.subject.organizations, ["system:nodes"])
        let cert = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: info.publicKeyPEM, subject: info.subject, usage: .clientAuth)
        XCTAssertEqual(try PKI.inspectCertificate(cert).subject.commonName, "system:node:n1")
    }

    func testCAHashMatchesOpenSSL() throws {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "hash-ca")
        let ours = try PKI.caCertHash(ca)
        XCTAssertTrue(ours.hasPrefix("sha256:") && ours.count == 71)
        XCTAssertEqual(ours, try PKI.caCertHash(ca), "stable")
        // The standard library and Glibc only (no Foundation: the armv7 test build has none).
        let path = "/tmp/edgectl-hash-\(getpid()).crt"
        defer { unlink(path) }
        let file = try XCTUnwrap(fopen(path, "w"))
        fputs(ca, file)
        fclose(file)
        let pipe = try XCTUnwrap(popen("openssl x509 -pubkey -noout -in \(path) | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1", "r"))
        var line = [CChar](repeating: 0, count: 128)
        let read = fgets(&line, Int32(line.count), pipe) != nil
        XCTAssertEqual(pclose(pipe), 0)
        XCTAssertTrue(read)
        let openssl = String(cString: line).filter { !$0.isWhitespace }
        XCTAssertEqual(ours, "sha256:" + openssl)
    }

    func testCACarriesAValidityInSeconds() throws {
        let key = try PKI.generateKey()
        let before = Int64(time(nil))
        let ca = try PKI.makeCA(keyPEM: key, commonName: "short-ca", validity: CertificateValidity(backdateSeconds: 2, expiresAfterSeconds: 5))
        let after = Int64(time(nil))
        let info = try PKI.inspectCertificate(ca)
        XCTAssertTrue((before - 2...after - 2).contains(info.notBefore), "notBefore \(info.notBefore), made between \(before) and \(after)")
        XCTAssertTrue((before + 5...after + 5).contains(info.notAfter), "notAfter \(info.notAfter), made between \(before) and \(after)")
        XCTAssertNoThrow(try PKI.checkCA(certificatePEM: ca, keyPEM: key))
    }

    func testDaysCAIsBackdatedForClockSkewAsBefore() throws {
        let key = try PKI.generateKey()
        let before = Int64(time(nil))
        let info = try PKI.inspectCertificate(try PKI.makeCA(keyPEM: key, commonName: "ca", days: 10))
        let after = Int64(time(nil))
        XCTAssertTrue((before - 300...after - 300).contains(info.notBefore), "notBefore \(info.notBefore)")
        XCTAssertEqual(info.notAfter - info.notBefore, 10 * 86400)
    }

    func testCheckCARefusesALeafAnotherKeyOrGarbage() throws {
        let key = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: key, commonName: "ca")
        let leafKey = try PKI.generateKey()
        let leaf = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: key, subjectKeyPEM: leafKey, subject: CertificateSubject(commonName: "n"),
                                           usage: .serverAuth)
        XCTAssertThrowsError(try PKI.checkCA(certificatePEM: leaf, keyPEM: leafKey)) { XCTAssertTrue("\($0)".contains("not a CA"), "\($0)") }
        XCTAssertThrowsError(try PKI.checkCA(certificatePEM: ca, keyPEM: leafKey)) { XCTAssertTrue("\($0)".contains("does not match"), "\($0)") }
        XCTAssertThrowsError(try PKI.checkCA(certificatePEM: "garbage", keyPEM: key))
        XCTAssertThrowsError(try PKI.checkCA(certificatePEM: ca, keyPEM: String(key.prefix(key.count / 2))))
        let publicKey = try PKI.inspectCSR(try PKI.makeCSR(keyPEM: key, subject: CertificateSubject(commonName: "x"))).publicKeyPEM
        XCTAssertThrowsError(try PKI.checkCA(certificatePEM: ca, keyPEM: publicKey), "a public key cannot sign")
    }
}
