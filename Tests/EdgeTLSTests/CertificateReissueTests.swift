import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import EdgeTLS

/// When the server signs its own certificates again at start (`PKI.needsReissue`).
final class CertificateReissueTests: XCTestCase {
    func client(_ validity: CertificateValidity, caCert: String, caKey: String) throws -> String {
        try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: try PKI.generateKey(),
                                subject: CertificateSubject(commonName: "admin", organizations: ["system:masters"]),
                                usage: .clientAuth, validity: validity)
    }

    func testAFreshCertificateStaysAndOneNearExpiryIsSignedAgain() throws {
        let caKey = try PKI.generateKey()
        let caCert = try PKI.makeCA(keyPEM: caKey, commonName: "test-ca")
        let now = Int64(time(nil))
        let year = try client(.days(365), caCert: caCert, caKey: caKey)
        XCTAssertFalse(try PKI.hasNullSignatureParameters(year))
        XCTAssertFalse(try PKI.needsReissue(year, now: now))
        let tenDays = try client(.days(10), caCert: caCert, caKey: caKey)
        XCTAssertTrue(try PKI.needsReissue(tenDays, now: now), "within a month of expiry")
        XCTAssertTrue(try PKI.needsReissue(year, now: now + 340 * 86_400), "a year's certificate 340 days on")
        XCTAssertTrue(try PKI.needsReissue(year, now: .max), "no overflow at the far end")
    }

    func testWhatAnOlderBuildSignedIsSignedAgain() throws {
        XCTAssertTrue(try PKI.hasNullSignatureParameters(OlderBuildPKI.serverCert))
        XCTAssertTrue(try PKI.hasNullSignatureParameters(OlderBuildPKI.caCert))
        XCTAssertTrue(try PKI.needsReissue(OlderBuildPKI.serverCert, now: Int64(time(nil))))
        // The older CA still signs; what it signs now has no NULL.
        let renewed = try client(.days(365), caCert: OlderBuildPKI.caCert, caKey: OlderBuildPKI.caKey)
        XCTAssertFalse(try PKI.needsReissue(renewed, now: Int64(time(nil))))
    }

    func testGarbageIsAnError() {
        XCTAssertThrowsError(try PKI.needsReissue("not a certificate", now: 0))
    }
}
