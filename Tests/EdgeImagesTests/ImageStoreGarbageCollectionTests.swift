import XCTest
import EdgeAPI
@testable import EdgeImages

/// Which images garbage collection removes: least recently used first, never those in use (by
/// reference, id or a container's layers), never those used within the minimum age, stopping as
/// soon as enough is freed, and never a layer a remaining image or a container still needs.
final class ImageStoreGarbageCollectionTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try TestFiles.temporaryDirectory() }
    override func tearDown() { TestFiles.remove(dir) }

    static let second: Int64 = 1_000_000_000
    /// "Now" for every request: image use times below are seconds after the epoch.
    static let now: Int64 = 1_000 * second

    func tar(_ name: String, bytes: Int) -> [UInt8] {
        var t = TarBuilder()
        t.file(name, String(repeating: "x", count: bytes))
        t.finish()
        return t.bytes
    }

    /// Images example.com/gc:0...3 with a 20 kB layer each, plus example.com/gc:app, which stacks
    /// a 40 kB layer on gc:0's; each last used at the given second.
    func store(lastUsedAt seconds: [String: Int64]) throws -> (ImageStore, [String: LayoutBuilder.Built]) {
        var layout = try LayoutBuilder(dir: dir + "/layout")
        var built: [String: LayoutBuilder.Built] = [:]
        for i in 0..<4 {
            built["\(i)"] = try layout.image(layers: [tar("f\(i)", bytes: 20_000)], scratch: dir)
        }
        built["app"] = try layout.image(layers: [tar("f0", bytes: 20_000), tar("app", bytes: 40_000)], scratch: dir)
        for (tag, b) in built.sorted(by: { $0.key < $1.key }) { layout.addToIndex(b, name: "example.com/gc:" + tag) }
        try layout.writeIndex()
        let store = try ImageStore(root: dir + "/store")
        _ = try store.importArchive(dir + "/layout")
        for (tag, at) in seconds {
            Posix.setModificationTime(try store.recordPath(built[tag]!.configDigest), nanoseconds: at * Self.second)
        }
        return (store, built)
    }

    func request(inUse: Set<String> = [], layers: Set<String> = [], bytesToFree: Int64, minimumAge: Int64 = 0) -> GarbageCollectionRequest {
        GarbageCollectionRequest(imagesInUse: inUse, layersInUse: layers, bytesToFree: bytesToFree,
                                 minimumAgeNanoseconds: minimumAge * Self.second, nowNanoseconds: Self.now)
    }

    func tags(_ store: ImageStore) -> [String] {
        store.list().flatMap(\.references).map { String($0.dropFirst("example.com/gc:".count)) }.sorted()
    }

    /// From list(), which unlike image(_:) does not count as a use.
    func stored(_ store: ImageStore, _ tag: String) throws -> StoredImage {
        try XCTUnwrap(store.list().first { $0.references == ["example.com/gc:" + tag] })
    }

    func testRemovesLeastRecentlyUsedFirstAndStopsOnceEnoughIsFreed() throws {
        let (store, _) = try store(lastUsedAt: ["2": 1, "0": 2, "3": 3, "1": 4, "app": 5])
        let one = try stored(store, "2").size
        XCTAssertEqual(try store.collectGarbage(request(bytesToFree: 0)), GarbageCollectionResult(freedBytes: 0, removedImages: []),
                       "nothing to free, nothing removed")
        XCTAssertEqual(tags(store), ["0", "1", "2", "3", "app"])

        // One and a half layers: gc:2 frees its layer; gc:0 only its config and manifest, as its layer
        // is gc:app's base; so gc:3 goes too, and then it stops.
        let result = try store.collectGarbage(request(inUse: ["example.com/gc:app"], bytesToFree: one + one / 2))
        XCTAssertEqual(result.removedImages, ["example.com/gc:2", "example.com/gc:0", "example.com/gc:3"])
        XCTAssertGreaterThanOrEqual(result.freedBytes, 2 * one)
        XCTAssertLessThan(result.freedBytes, 3 * one, "the shared layer was not freed")
        XCTAssertEqual(tags(store), ["1", "app"], "gc:1 was used more recently and was not needed")
        XCTAssertTrue(Posix.isDirectory(try stored(store, "app").layerPaths[0]))
    }

    func testImagesInUseByReferenceOrIdAreNeverRemoved() throws {
        let (store, built) = try store(lastUsedAt: ["0": 1, "1": 2, "2": 3, "3": 4, "app": 5])
        // Short names normalize ("docker.io/..." does not match), ids and short id prefixes count.
        let inUse: Set<String> = ["example.com/gc:0", built["1"]!.configDigest, String(built["2"]!.configDigest.dropFirst(7).prefix(12))]
        let result = try store.collectGarbage(request(inUse: inUse, bytesToFree: 100_000_000))
        XCTAssertEqual(result.removedImages, ["example.com/gc:3", "example.com/gc:app"], "everything else, oldest first")
        XCTAssertEqual(tags(store), ["0", "1", "2"])
    }

    func testALayerSharedWithAnImageInUseStays() throws {
        let (store, built) = try store(lastUsedAt: ["0": 5, "app": 1])
        let base = try stored(store, "0")
        let app = try stored(store, "app")
        XCTAssertEqual(app.layerPaths[0], base.layerPaths[0], "gc:app is built on gc:0's layer")
        let result = try store.collectGarbage(request(inUse: ["example.com/gc:0", "example.com/gc:1", "example.com/gc:2", "example.com/gc:3"],
                                                      bytesToFree: 100_000_000))
        XCTAssertEqual(result.removedImages, ["example.com/gc:app"])
        XCTAssertTrue(Posix.isDirectory(base.layerPaths[0]), "the shared layer stays for gc:0")
        XCTAssertFalse(Posix.exists(app.layerPaths[1]), "gc:app's own layer goes")
        XCTAssertLessThan(result.freedBytes, app.size, "only the unshared layer (and small blobs) were freed")
        XCTAssertGreaterThanOrEqual(result.freedBytes, app.size - base.size)
        XCTAssertEqual(try stored(store, "0").id, built["0"]!.configDigest)
    }

    func testLayersUnderAContainerStayAfterItsImageGoes() throws {
        let (store, _) = try store(lastUsedAt: ["0": 1, "1": 2, "2": 3, "3": 4, "app": 5])
        let app = try stored(store, "app")
        let three = try stored(store, "3")
        // A container runs on gc:app's layers (say the tag has moved since) and on part of gc:3's stack.
        // Paths are matched by the layer's digest, whatever spelling of the store's root they use.
        let respelled = app.layerPaths.map { "/another/spelling/layers/" + $0.split(separator: "/").suffix(2).joined(separator: "/") }
        let result = try store.collectGarbage(request(layers: Set(respelled + ["/elsewhere/layers/x/fs", "/etc"]), bytesToFree: 100_000_000))
        XCTAssertEqual(result.removedImages, ["example.com/gc:1", "example.com/gc:2", "example.com/gc:3"],
                       "gc:app (all its layers held) counts as in use; gc:0 is its base layer, held too")
        XCTAssertTrue(app.layerPaths.allSatisfy(Posix.isDirectory))
        XCTAssertFalse(Posix.exists(three.layerPaths[0]))
        XCTAssertEqual(tags(store), ["0", "app"])
    }

    func testImagesUsedWithinTheMinimumAgeStay() throws {
        // Now is second 1000; a 100 s minimum age spares anything used after second 900.
        let (store, _) = try store(lastUsedAt: ["0": 850, "1": 899, "2": 901, "3": 990, "app": 999])
        let result = try store.collectGarbage(request(bytesToFree: 100_000_000, minimumAge: 100))
        XCTAssertEqual(result.removedImages, ["example.com/gc:0", "example.com/gc:1"])
        XCTAssertEqual(tags(store), ["2", "3", "app"])
        XCTAssertEqual(try store.collectGarbage(request(bytesToFree: 100_000_000, minimumAge: 100)).removedImages, [],
                       "what is left is too young: nothing more goes, and the caller sees the shortfall in freedBytes")
    }
}
