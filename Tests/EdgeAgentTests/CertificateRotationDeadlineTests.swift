import XCTest
@testable import EdgeAgent

final class CertificateRotationDeadlineTests: XCTestCase {
    // A 1000-second certificate starting at t=10000.
    let notBefore: Int64 = 10_000
    let notAfter: Int64 = 11_000

    func testWindowIsSeventyToNinetyPercentOfTheLifetimeFromNotBefore() {
        XCTAssertEqual(CertificateRotationDeadline.deadline(notBefore: notBefore, notAfter: notAfter, random: 0), 10_700)
        XCTAssertEqual(CertificateRotationDeadline.deadline(notBefore: notBefore, notAfter: notAfter, random: 0.5), 10_800)
        XCTAssertEqual(CertificateRotationDeadline.deadline(notBefore: notBefore, notAfter: notAfter, random: 0.999_999), 10_899)
    }

    func testOutOfRangeRandomnessStaysInsideTheWindow() {
        XCTAssertEqual(CertificateRotationDeadline.deadline(notBefore: notBefore, notAfter: notAfter, random: -3), 10_700)
        XCTAssertEqual(CertificateRotationDeadline.deadline(notBefore: notBefore, notAfter: notAfter, random: 7), 10_900)
    }

    func testJitteredDeadlinesSpreadOverTheWindowAndNeverLeaveIt() {
        let draws = (0..<200).map { _ in CertificateRotationDeadline.deadline(notBefore: notBefore, notAfter: notAfter) }
        XCTAssertTrue(draws.allSatisfy { (10_700...10_900).contains($0) }, "\(draws.filter { !(10_700...10_900).contains($0) })")
        XCTAssertGreaterThan(Set(draws).count, 50, "nodes that joined together must not all renew at once")
        XCTAssertLessThan(draws.min()!, 10_750)
        XCTAssertGreaterThan(draws.max()!, 10_850)
    }

    func testUpstreamYearLongCertificateRenewsAfterAboutNineMonths() {
        let year: Int64 = 365 * 86400
        let earliest = CertificateRotationDeadline.deadline(notBefore: 0, notAfter: year, random: 0)
        XCTAssertEqual(earliest / 86400, 255)
    }

    func testAnExpiredOrEmptyLifetimeGivesADeadlineNotAfterNotBefore() {
        XCTAssertEqual(CertificateRotationDeadline.deadline(notBefore: 500, notAfter: 500, random: 0.5), 500)
        XCTAssertEqual(CertificateRotationDeadline.deadline(notBefore: 500, notAfter: 100, random: 0.5), 500)
    }
}
