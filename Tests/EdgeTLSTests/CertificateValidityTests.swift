import XCTest
import EdgeTLS
#if canImport(Glibc)
import Glibc
#endif

final class CertificateValidityTests: XCTestCase {
    func testLongLivedSigningKeepsUpstreamsFiveMinuteBackdateWithinTheLifetime() {
        let year: Int64 = 365 * 86400
        XCTAssertEqual(CertificateValidity.signing(seconds: year), CertificateValidity(backdateSeconds: 300, expiresAfterSeconds: year - 300))
    }

    func testShortLivedSigningKeepsTheFullLifetimeAfterSigning() {
        XCTAssertEqual(CertificateValidity.signing(seconds: 3600), CertificateValidity(backdateSeconds: 300, expiresAfterSeconds: 3600))
    }

    func testVeryShortLifetimesAreBackdatedByATenthSoRenewalIsNotDueAtOnce() {
        XCTAssertEqual(CertificateValidity.signing(seconds: 60), CertificateValidity(backdateSeconds: 6, expiresAfterSeconds: 60))
        XCTAssertEqual(CertificateValidity.signing(seconds: 600), CertificateValidity(backdateSeconds: 60, expiresAfterSeconds: 600))
    }

    func testDaysAreTheWholeLifetimeIncludingTheBackdate() {
        XCTAssertEqual(CertificateValidity.days(365), CertificateValidity(backdateSeconds: 300, expiresAfterSeconds: 365 * 86400 - 300))
    }

    func testSignedCertificateCarriesTheValidity() throws {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "test-ca")
        let key = try PKI.generateKey()
        let before = Int64(time(nil))
        let cert = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: key, subject: CertificateSubject(commonName: "n"),
                                           usage: .clientAuth, validity: .signing(seconds: 60))
        let after = Int64(time(nil))
        let info = try PKI.inspectCertificate(cert)
        XCTAssertTrue((before - 6...after - 6).contains(info.notBefore), "notBefore \(info.notBefore), signed between \(before) and \(after)")
        XCTAssertTrue((before + 60...after + 60).contains(info.notAfter), "notAfter \(info.notAfter), signed between \(before) and \(after)")
    }
}
