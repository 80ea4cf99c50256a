import EdgeAPI
import XCTest
@testable import EdgeImages

final class PlatformSelectionTests: XCTestCase {
    func entry(_ arch: String, _ variant: String? = nil, os: String = "linux", digit: Character) -> Descriptor {
        Descriptor(mediaType: MediaType.ociManifest, digest: "sha256:" + String(repeating: digit, count: 64), size: 1,
                   platform: ImagePlatform(os: os, architecture: arch, variant: variant))
    }

    func testHostMachineNames() {
        XCTAssertEqual(ImagePlatform.fromMachine("x86_64"), ImagePlatform(architecture: "amd64"))
        XCTAssertEqual(ImagePlatform.fromMachine("aarch64"), ImagePlatform(architecture: "arm64", variant: "v8"))
        XCTAssertEqual(ImagePlatform.fromMachine("armv7l"), ImagePlatform(architecture: "arm", variant: "v7"))
        XCTAssertEqual(ImagePlatform.fromMachine("armv7l").description, "linux/arm/v7")
    }

    func testIndexEntryForEachBoard() throws {
        let index = [entry("amd64", digit: "1"), entry("arm", "v6", digit: "2"), entry("arm", "v7", digit: "3"),
                     entry("arm64", digit: "4"), entry("unknown", os: "unknown", digit: "5")]
        let pick = { (p: ImagePlatform) in try ManifestDocument.select(index, for: p, what: "t").digest.last! }
        XCTAssertEqual(try pick(ImagePlatform(architecture: "amd64")), "1")
        // arm64 without a variant in the index is v8.
        XCTAssertEqual(try pick(ImagePlatform(architecture: "arm64", variant: "v8")), "4")
        // An arm/v7 board prefers v7 over the v6 it could also run.
        XCTAssertEqual(try pick(ImagePlatform(architecture: "arm", variant: "v7")), "3")
        XCTAssertEqual(try pick(ImagePlatform(architecture: "arm", variant: "v6")), "2")
    }

    func testOlderArmVariantIsAFallbackAndNewerIsRefused() throws {
        XCTAssertEqual(try ManifestDocument.select([entry("arm", "v6", digit: "2")], for: ImagePlatform(architecture: "arm", variant: "v7"), what: "t").digest.last, "2")
        XCTAssertThrowsError(try ManifestDocument.select([entry("arm", "v7", digit: "3")], for: ImagePlatform(architecture: "arm", variant: "v6"), what: "t"))
    }

    func testNoMatchNamesWhatTheIndexHas() {
        XCTAssertThrowsError(try ManifestDocument.select([entry("amd64", digit: "1"), entry("s390x", digit: "2")],
                                                         for: ImagePlatform(architecture: "arm64", variant: "v8"), what: "pull x")) {
            XCTAssertEqual("\($0)", "pull x: no image for platform linux/arm64/v8 in the index (it has: linux/amd64, linux/s390x)")
        }
    }

    func testManifestKindsAreRecognised() throws {
        let list = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"digest":"sha256:\#(String(repeating: "c", count: 64))","size":3,"platform":{"architecture":"arm64","os":"linux"}}]}"#
        guard case .index(let entries) = try ManifestDocument.parse(Array(list.utf8), contentType: nil, what: "t") else { return XCTFail("not an index") }
        XCTAssertEqual(entries.first?.platform?.architecture, "arm64")
        let schema1 = #"{"schemaVersion":1,"name":"x","fsLayers":[]}"#
        XCTAssertThrowsError(try ManifestDocument.parse(Array(schema1.utf8), contentType: nil, what: "t")) { XCTAssertTrue("\($0)".contains("schema 1")) }
    }
}
