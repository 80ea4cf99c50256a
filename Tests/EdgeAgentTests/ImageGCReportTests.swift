import XCTest
@testable import EdgeAgent

/// What the log and `kubectl describe node` say about a collection.
final class ImageGCReportTests: XCTestCase {
    let policy = ImageGCPolicy()

    func testNothingIsSaidBelowTheThreshold() {
        XCTAssertNil(ImageGCReport(.belowThreshold(usagePercent: 40), policy: policy))
    }

    func testAFreeingCollectionIsLoggedWithWhatItRemovedAndNoEvent() throws {
        let r = try XCTUnwrap(ImageGCReport(.freed(usagePercent: 90, bytesToFree: 10 << 20,
                                                   removal: ImageRemoval(freedBytes: 12 << 20, removedImages: ["a:1", "b:2"])), policy: policy))
        XCTAssertEqual(r.logLine, "image filesystem 90% used (high threshold 85%): removed 2 unused images (a:1, b:2), "
                       + "freeing 12.0 MiB (10.0 MiB to come down to 80%)")
        XCTAssertNil(r.eventReason)
    }

    func testAShortfallIsKubeletsFreeDiskSpaceFailed() throws {
        let r = try XCTUnwrap(ImageGCReport(.shortfall(usagePercent: 97, bytesToFree: 3_000_000,
                                                       removal: ImageRemoval(freedBytes: 1_048_576, removedImages: ["a:1"])), policy: policy))
        XCTAssertEqual(r.eventReason, "FreeDiskSpaceFailed")
        XCTAssertEqual(r.eventMessage, "Failed to garbage collect required amount of images. Attempted to free 3000000 bytes, "
                       + "but only found 1048576 bytes eligible to free. The other images are used by this node's pods "
                       + "or were used in the last 120s: delete pods or images, or add disk space.")
        XCTAssertTrue(r.logLine.hasPrefix("image filesystem 97% used (high threshold 85%): removed 1 unused image (a:1), freeing 1.0 MiB of the 2.9 MiB needed; "), r.logLine)
    }

    func testAFailureIsKubeletsImageGCFailed() throws {
        let r = try XCTUnwrap(ImageGCReport(.failed("failed to remove unused images: permission denied"), policy: policy))
        XCTAssertEqual(r.eventReason, "ImageGCFailed")
        XCTAssertEqual(r.eventMessage, "failed to remove unused images: permission denied")
        XCTAssertEqual(r.logLine, "image garbage collection failed: failed to remove unused images: permission denied")
    }
}
