import XCTest
@testable import EdgeAgent

final class CertificateRenewalBackoffTests: XCTestCase {
    func testDoublesFromTwoSecondsToFiveMinutes() {
        var b = CertificateRenewalBackoff()
        XCTAssertEqual((0..<10).map { _ in b.next() }, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300])
    }
}
