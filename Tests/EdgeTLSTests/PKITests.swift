import XCTest
import Foundation
@testable import EdgeTLS

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
        XCTAssertGreaterThan(info.notAfter, Int64(Date().timeIntervalSince1970) + 29 * 86400)
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
        let dir = NSTemporaryDirectory() + "/edgectl-hash-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ca.write(toFile: dir + "/ca.crt", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "openssl x509 -pubkey -noout -in \(dir)/ca.crt | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let openssl = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(ours, "sha256:" + openssl)
    }
}
