import XCTest
@testable import EdgeAgent

/// When image GC measures, when it collects, how much it asks to free, what it keeps, and how it
/// backs off after falling short; the store is a fake (what the real store removes is tested in
/// EdgeImagesTests).
final class ImageGCManagerTests: XCTestCase {
    static let mib: Int64 = 1 << 20
    let t0 = ContinuousClock.now
    let inUse = ImagesInUse(references: ["registry.local/app:1"], layers: ["/data/images/layers/aa/fs"])

    /// 100 MiB disk; five 4 MiB images, least recently used first, one of them in use.
    func store(availableMiB: Int64) -> FakeCollectableImageStore {
        FakeCollectableImageStore(capacity: 100 * Self.mib, available: availableMiB * Self.mib, images: [
            .init(name: "old:1", bytes: 4 * Self.mib, usedAgo: .seconds(3600)),
            .init(name: "registry.local/app:1", bytes: 4 * Self.mib, usedAgo: .seconds(3000)),
            .init(name: "old:2", bytes: 4 * Self.mib, usedAgo: .seconds(2000)),
            .init(name: "old:3", bytes: 4 * Self.mib, usedAgo: .seconds(1000)),
            .init(name: "fresh:1", bytes: 4 * Self.mib, usedAgo: .seconds(30)),
        ])
    }

    func manager(_ store: FakeCollectableImageStore, _ change: (inout ImageGCPolicy) -> Void = { _ in }) -> ImageGCManager {
        var policy = ImageGCPolicy()
        change(&policy)
        return ImageGCManager(policy: policy, store: store, log: { _ in })
    }

    func testBelowTheHighThresholdNothingIsRemoved() async {
        let store = store(availableMiB: 16) // 84% used
        let outcome = await manager(store).runIfDue(now: t0, imagesInUse: { XCTFail("not asked below the threshold"); return self.inUse })
        XCTAssertEqual(outcome, .belowThreshold(usagePercent: 84))
        XCTAssertEqual(store.requests, [])
    }

    func testAtTheHighThresholdFreesDownToTheLowOneLeastRecentlyUsedFirstKeepingImagesInUse() async {
        let store = store(availableMiB: 10) // 90% used: 20 MiB must be free for 80%, 10 MiB more
        let gc = manager(store)
        let outcome = await gc.runIfDue(now: t0, imagesInUse: { self.inUse })
        XCTAssertEqual(store.requests, [.init(keeping: inUse, bytesToFree: 10 * Self.mib, minimumAge: .seconds(120))])
        XCTAssertEqual(outcome, .freed(usagePercent: 90, bytesToFree: 10 * Self.mib,
                                       removal: ImageRemoval(freedBytes: 12 * Self.mib, removedImages: ["old:1", "old:2", "old:3"])))
        XCTAssertEqual(store.remaining, ["registry.local/app:1", "fresh:1"], "the image in use and the one used 30 s ago stay")
        XCTAssertEqual(try store.imageFilesystemUsage().usagePercent, 78, "at or under the low threshold")

        // The next check finds usage below the high threshold and removes nothing more.
        let next = await gc.runIfDue(now: t0 + .seconds(10), imagesInUse: { self.inUse })
        XCTAssertEqual(next, .belowThreshold(usagePercent: 78))
        XCTAssertEqual(store.requests.count, 1)
    }

    func testExactlyAtTheHighThresholdCollects() async {
        let store = store(availableMiB: 15) // 85%
        let outcome = await manager(store).runIfDue(now: t0, imagesInUse: { self.inUse })
        XCTAssertEqual(store.requests.map(\.bytesToFree), [5 * Self.mib])
        XCTAssertEqual(outcome, .freed(usagePercent: 85, bytesToFree: 5 * Self.mib,
                                       removal: ImageRemoval(freedBytes: 8 * Self.mib, removedImages: ["old:1", "old:2"])))
    }

    func testThresholdsAndMinimumAgeComeFromThePolicy() async {
        let store = store(availableMiB: 35) // 65% used
        let gc = manager(store) { $0.highThresholdPercent = 60; $0.lowThresholdPercent = 50; $0.minimumAge = .seconds(10) }
        let outcome = await gc.runIfDue(now: t0, imagesInUse: { ImagesInUse() })
        XCTAssertEqual(store.requests, [.init(keeping: ImagesInUse(), bytesToFree: 15 * Self.mib, minimumAge: .seconds(10))])
        XCTAssertEqual(outcome, .freed(usagePercent: 65, bytesToFree: 15 * Self.mib,
                                       removal: ImageRemoval(freedBytes: 16 * Self.mib,
                                                             removedImages: ["old:1", "registry.local/app:1", "old:2", "old:3"])))
    }

    func testAShortfallIsReportedAndTheNextCollectionWaits() async {
        let store = store(availableMiB: 2) // 98% used: 18 MiB needed, 12 MiB may go
        let gc = manager(store)
        let outcome = await gc.runIfDue(now: t0, imagesInUse: { self.inUse })
        XCTAssertEqual(outcome, .shortfall(usagePercent: 98, bytesToFree: 18 * Self.mib,
                                           removal: ImageRemoval(freedBytes: 12 * Self.mib, removedImages: ["old:1", "old:2", "old:3"])))
        // Still over the threshold: no rescan during the quiet period, not even when a start failure asks.
        gc.requestCheck()
        let soon = await gc.runIfDue(now: t0 + .seconds(60), imagesInUse: { self.inUse })
        XCTAssertNil(soon)
        XCTAssertEqual(store.requests.count, 1)
        let later = await gc.runIfDue(now: t0 + .seconds(300), imagesInUse: { self.inUse })
        XCTAssertEqual(later, .shortfall(usagePercent: 86, bytesToFree: 6 * Self.mib, removal: ImageRemoval(freedBytes: 0, removedImages: [])))
    }

    func testMeasuresOnItsIntervalOrAtTheTickAfterARequest() async {
        let store = store(availableMiB: 50)
        let gc = manager(store)
        let first = await gc.runIfDue(now: t0, imagesInUse: { self.inUse })
        XCTAssertEqual(first, .belowThreshold(usagePercent: 50), "the first tick measures")
        let early = await gc.runIfDue(now: t0 + .seconds(5), imagesInUse: { self.inUse })
        XCTAssertNil(early, "not due yet")
        gc.requestCheck()
        let requested = await gc.runIfDue(now: t0 + .seconds(6), imagesInUse: { self.inUse })
        XCTAssertEqual(requested, .belowThreshold(usagePercent: 50), "a request measures at the next tick")
        let afterRequest = await gc.runIfDue(now: t0 + .seconds(10), imagesInUse: { self.inUse })
        XCTAssertNil(afterRequest, "the interval restarts at the requested check")
        store.set(available: 5 * Self.mib)
        let due = await gc.runIfDue(now: t0 + .seconds(16), imagesInUse: { self.inUse })
        XCTAssertEqual(due, .shortfall(usagePercent: 95, bytesToFree: 15 * Self.mib,
                                       removal: ImageRemoval(freedBytes: 12 * Self.mib, removedImages: ["old:1", "old:2", "old:3"])),
                       "fresh:1 was used 30 s ago, within the minimum age")
    }

    func testAFilesystemThatCannotBeMeasuredIsAFailure() async {
        let store = store(availableMiB: 50)
        store.state.withLock { $0.measureError = "failed to measure the filesystem holding /data/images (statvfs: No such file or directory)" }
        let outcome = await manager(store).runIfDue(now: t0, imagesInUse: { self.inUse })
        XCTAssertEqual(outcome, .failed("failed to measure the filesystem holding /data/images (statvfs: No such file or directory)"))
    }
}
