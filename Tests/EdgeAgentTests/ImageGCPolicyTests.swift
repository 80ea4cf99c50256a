import XCTest
@testable import EdgeAgent

/// kubelet's threshold arithmetic and the flag rules.
final class ImageGCPolicyTests: XCTestCase {
    func testDefaultsAreKubelets() {
        let p = ImageGCPolicy()
        XCTAssertEqual([p.highThresholdPercent, p.lowThresholdPercent], [85, 80])
        XCTAssertEqual(p.minimumAge, .seconds(120))
        XCTAssertNil(p.problem)
    }

    func testUsageRoundsAsKubeletDoes() {
        XCTAssertEqual(FilesystemUsage(capacityBytes: 1000, availableBytes: 151).usagePercent, 85, "100 - 15.1 rounded down to 15")
        XCTAssertEqual(FilesystemUsage(capacityBytes: 1000, availableBytes: 150).usagePercent, 85)
        XCTAssertEqual(FilesystemUsage(capacityBytes: 1000, availableBytes: 159).usagePercent, 85)
        XCTAssertEqual(FilesystemUsage(capacityBytes: 1000, availableBytes: 160).usagePercent, 84)
        XCTAssertEqual(FilesystemUsage(capacityBytes: 0, availableBytes: 0).usagePercent, 0, "an unknown filesystem is never full")
    }

    func testBytesToFreeBringUsageToTheLowThreshold() {
        let p = ImageGCPolicy()
        XCTAssertEqual(p.bytesToFree(FilesystemUsage(capacityBytes: 1000, availableBytes: 160)), 0, "84%: under the high threshold")
        XCTAssertEqual(p.bytesToFree(FilesystemUsage(capacityBytes: 1000, availableBytes: 150)), 50, "85%: free up to 200")
        XCTAssertEqual(p.bytesToFree(FilesystemUsage(capacityBytes: 1000, availableBytes: 0)), 200)
        XCTAssertEqual(p.bytesToFree(FilesystemUsage(capacityBytes: 0, availableBytes: 0)), 0)
    }

    func testProblemsNameTheFlagAndTheRule() {
        var p = ImageGCPolicy()
        p.highThresholdPercent = 101
        XCTAssertEqual(p.problem, "--image-gc-high-threshold must be a percentage from 0 to 100, got 101")
        p = ImageGCPolicy()
        p.lowThresholdPercent = -1
        XCTAssertEqual(p.problem, "--image-gc-low-threshold must be a percentage from 0 to 100, got -1")
        p = ImageGCPolicy()
        p.lowThresholdPercent = 85
        XCTAssertTrue(p.problem?.hasPrefix("--image-gc-low-threshold (85) must be below --image-gc-high-threshold (85)") ?? false, p.problem ?? "nil")
        p.lowThresholdPercent = 0
        p.highThresholdPercent = 100
        XCTAssertNil(p.problem)
    }
}
