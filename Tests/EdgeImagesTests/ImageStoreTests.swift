import XCTest
import EdgeAPI
@testable import EdgeImages
#if canImport(Glibc)
import Glibc
#endif

final class ImageStoreTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws { dir = try TestFiles.temporaryDirectory() }
    override func tearDown() { TestFiles.remove(dir) }

    func tar(_ files: [(String, String)]) -> [UInt8] {
        var t = TarBuilder()
        for (name, content) in files { t.file(name, content) }
        t.finish()
        return t.bytes
    }

    /// A layout with two images that share their base layer.
    func twoImageLayout() throws -> (path: String, base: LayoutBuilder.Built, app: LayoutBuilder.Built) {
        var layout = try LayoutBuilder(dir: dir + "/layout")
        let baseLayer = tar([("bin/sh", "shell"), ("etc/os-release", "test")])
        let base = try layout.image(layers: [baseLayer], cmd: ["sh"], scratch: dir)
        let app = try layout.image(layers: [baseLayer, tar([("app/run", "go")])], cmd: ["/app/run"], scratch: dir)
        layout.addToIndex(base, name: "example.com/base:1")
        layout.addToIndex(app, name: nil, refName: "example.com/app:2")
        try layout.writeIndex()
        return (dir + "/layout", base, app)
    }

    func testImportsAnOCILayoutSharingLayers() throws {
        let (path, base, app) = try twoImageLayout()
        let store = try ImageStore(root: dir + "/store")
        let imported = try store.importArchive(path)
        XCTAssertEqual(imported.map(\.references), [["example.com/base:1"], ["example.com/app:2"]])
        XCTAssertEqual(imported[0].id, base.configDigest)
        XCTAssertEqual(Posix.listDirectory(dir + "/store/layers").count, 2, "the shared base layer is unpacked once")

        let image = try XCTUnwrap(store.image("example.com/app:2"))
        XCTAssertEqual(image.id, app.configDigest)
        XCTAssertEqual(image.config.cmd, ["/app/run"])
        XCTAssertEqual(image.config.env, ["PATH=/bin"])
        XCTAssertEqual(image.layerPaths.count, 2)
        XCTAssertEqual(image.layerPaths[0], imported[0].layerPaths[0])
        XCTAssertEqual(try TestFiles.read(image.layerPaths[1] + "/app/run"), "go")
        XCTAssertEqual(image.overlayLowerDirs, image.layerPaths[1] + ":" + image.layerPaths[0])
        XCTAssertEqual(image.manifestDigest, app.manifestDigest)
        XCTAssertGreaterThan(image.size, 0)
        // Lookups by id, bare hex and short prefix.
        XCTAssertEqual(store.image(app.configDigest)?.id, app.configDigest)
        XCTAssertEqual(store.image(String(app.configDigest.dropFirst(7).prefix(12)))?.id, app.configDigest)
        XCTAssertNil(store.image("example.com/missing:1"))

        // Importing again changes nothing; a store reopened sees the same images.
        _ = try store.importArchive(path)
        XCTAssertEqual(try ImageStore(root: dir + "/store").list().map(\.id).sorted(), [base.configDigest, app.configDigest].sorted())
    }

    func testImportsATarOfALayoutAndNamesASingleImage() throws {
        var layout = try LayoutBuilder(dir: dir + "/one")
        let built = try layout.image(layers: [tar([("hello", "world")])], gzipped: false, scratch: dir)
        layout.addToIndex(built, name: nil) // ref.name "latest" alone names nothing
        try layout.writeIndex()
        XCTAssertEqual(system("tar -C '\(dir)/one' -cf '\(dir)/one.tar' ."), 0)
        let store = try ImageStore(root: dir + "/store")
        let unnamed = try store.importArchive(dir + "/one.tar")
        XCTAssertEqual(unnamed.first?.references, [])
        let named = try store.importArchive(dir + "/one.tar", reference: "tools")
        XCTAssertEqual(named.first?.references, ["docker.io/library/tools:latest"])
        XCTAssertEqual(try TestFiles.read(store.image("tools")!.layerPaths[0] + "/hello"), "world")
        XCTAssertTrue(Posix.listDirectory(dir + "/store/tmp").isEmpty, "the unpacked archive is cleaned up")
    }

    func testImportsADockerArchive() throws {
        let layer = tar([("etc/issue", "docker")])
        let diffID = SHA256.digest(layer)
        let config = #"{"architecture":"\#(ImagePlatform.host.architecture)","os":"linux","config":{"Entrypoint":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":["\#(diffID)"]}}"#
        try TestFiles.write(dir + "/d/abc/layer.tar", layer)
        try TestFiles.write(dir + "/d/cfg.json", Array(config.utf8))
        try TestFiles.write(dir + "/d/manifest.json", Array(#"[{"Config":"cfg.json","RepoTags":["busybox:1"],"Layers":["abc/layer.tar"]}]"#.utf8))
        XCTAssertEqual(system("tar -C '\(dir)/d' -cf '\(dir)/d.tar' ."), 0)
        let store = try ImageStore(root: dir + "/store")
        let images = try store.importArchive(dir + "/d.tar")
        XCTAssertEqual(images.first?.references, ["docker.io/library/busybox:1"])
        XCTAssertEqual(images.first?.id, SHA256.digest(Array(config.utf8)))
        XCTAssertEqual(images.first?.config.entrypoint, ["/bin/true"])
        XCTAssertNil(images.first?.manifestDigest)
    }

    func testCorruptBlobsAreRefusedAndLeaveNoLayer() throws {
        var layout = try LayoutBuilder(dir: dir + "/bad")
        let built = try layout.image(layers: [tar([("f", "original")])], scratch: dir)
        layout.addToIndex(built, name: "example.com/bad:1")
        try layout.writeIndex()
        let blobPath = dir + "/bad/blobs/sha256/" + built.layerDigests[0].dropFirst(7)
        let replacement = try TestFiles.gzip(tar([("f", "tampered")]), in: dir)
        try TestFiles.write(blobPath, replacement)
        let store = try ImageStore(root: dir + "/store")
        XCTAssertThrowsError(try store.importArchive(dir + "/bad")) {
            XCTAssertTrue("\($0)".contains("digest mismatch for blob \(built.layerDigests[0])"), "\($0)")
        }
        XCTAssertTrue(Posix.listDirectory(dir + "/store/layers").isEmpty)
        XCTAssertTrue(Posix.listDirectory(dir + "/store/tmp").isEmpty, "the half-unpacked layer is removed")
        XCTAssertTrue(store.list().isEmpty)

        // A manifest whose bytes do not match the index's digest is refused too.
        try TestFiles.write(dir + "/bad/blobs/sha256/" + built.manifestDigest.dropFirst(7), Array("{}".utf8))
        XCTAssertThrowsError(try store.importArchive(dir + "/bad")) { XCTAssertTrue("\($0)".contains("digest mismatch"), "\($0)") }
    }

    func testDiffIDMismatchIsRefused() throws {
        let layer = tar([("a", "1")])
        let wrong = SHA256.digest(Array("other".utf8))
        try TestFiles.write(dir + "/d/l.tar", layer)
        try TestFiles.write(dir + "/d/c.json", Array(#"{"os":"linux","rootfs":{"diff_ids":["\#(wrong)"]}}"#.utf8))
        try TestFiles.write(dir + "/d/manifest.json", Array(#"[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l.tar"]}]"#.utf8))
        XCTAssertThrowsError(try ImageStore(root: dir + "/store").importArchive(dir + "/d")) {
            XCTAssertTrue("\($0)".contains("diff id mismatch"), "\($0)")
        }
    }

    func testOtherPlatformsAreSkippedOnImport() throws {
        var layout = try LayoutBuilder(dir: dir + "/multi")
        let native = try layout.image(layers: [tar([("arch", "native")])], scratch: dir)
        let foreign = try layout.image(layers: [tar([("arch", "foreign")])], architecture: "s390x", variant: nil, scratch: dir)
        layout.addToIndex(foreign, name: "example.com/m:1", platform: ImagePlatform(architecture: "s390x"))
        layout.addToIndex(native, name: "example.com/m:1", platform: .host)
        try layout.writeIndex()
        let store = try ImageStore(root: dir + "/store")
        let images = try store.importArchive(dir + "/multi")
        XCTAssertEqual(images.map(\.id), [native.configDigest])
        XCTAssertEqual(try TestFiles.read(images[0].layerPaths[0] + "/arch"), "native")
        // The node keeps what the name offers, for the scheduler; a reopened store still has it.
        XCTAssertEqual(images[0].offeredPlatforms, [ImagePlatform(architecture: "s390x"), .host])
        XCTAssertEqual(try ImageStore(root: dir + "/store").image("example.com/m:1")?.offeredPlatforms, [ImagePlatform(architecture: "s390x"), .host])
        XCTAssertThrowsError(try store.importArchive(dir + "/multi", platform: ImagePlatform(architecture: "riscv64"))) {
            XCTAssertTrue("\($0)".contains("no image for linux/riscv64"), "\($0)")
        }
    }

    /// A nested index (what `skopeo copy --all` and images/build --arch all write): its
    /// entries are the platforms offered; attestation entries are not platforms.
    func testNestedIndexPlatformsAreKeptAndAnImageWithoutIndexOffersItsOwn() throws {
        let layout = try LayoutBuilder(dir: dir + "/nested")
        let native = try layout.image(layers: [tar([("arch", "native")])], scratch: dir)
        let arm = try layout.image(layers: [tar([("arch", "arm")])], architecture: "arm", variant: "v7", scratch: dir)
        func entry(_ b: LayoutBuilder.Built, _ p: JSON) -> JSON {
            .obj(["mediaType": .string(MediaType.ociManifest), "digest": .string(b.manifestDigest), "size": .int(Int64(b.manifestSize)), "platform": p])
        }
        let host = ImagePlatform.host
        var hostJSON: JSON = .obj(["os": "linux", "architecture": .string(host.architecture)])
        if let v = host.variant { hostJSON["variant"] = .string(v) }
        let nested = JSONSerializer.serialize(.obj(["schemaVersion": 2, "mediaType": .string(MediaType.ociIndex), "manifests": [
            entry(native, hostJSON), entry(arm, ["os": "linux", "architecture": "arm", "variant": "v7"]),
            entry(arm, ["os": "unknown", "architecture": "unknown"]),
        ]]))
        let nestedDigest = try layout.blob(nested)
        let index: JSON = .obj(["schemaVersion": 2, "mediaType": .string(MediaType.ociIndex), "manifests": [
            .obj(["mediaType": .string(MediaType.ociIndex), "digest": .string(nestedDigest), "size": .int(Int64(nested.count)),
                  "annotations": ["io.containerd.image.name": "example.com/multi:1"]]),
        ]])
        try TestFiles.write(dir + "/nested/index.json", JSONSerializer.serialize(index))
        let store = try ImageStore(root: dir + "/store")
        let images = try store.importArchive(dir + "/nested")
        // On an armv7 host (the board unit tests) the host's own platform is the arm/v7 entry: listed once.
        let armv7 = ImagePlatform(architecture: "arm", variant: "v7")
        XCTAssertEqual(images.map(\.offeredPlatforms), [host == armv7 ? [host] : [host, armv7]])

        let (path, base, _) = try twoImageLayout()
        _ = try store.importArchive(path)
        XCTAssertEqual(store.image("example.com/base:1")?.id, base.configDigest)
        XCTAssertEqual(store.image("example.com/base:1")?.offeredPlatforms.map(\.architecture), [host.architecture])
    }

    func testRemoveDropsReferencesThenTheImageAndItsUnsharedLayers() throws {
        let (path, base, app) = try twoImageLayout()
        let store = try ImageStore(root: dir + "/store")
        _ = try store.importArchive(path)
        try store.tag("example.com/app:2", as: "example.com/app:latest")
        try store.remove("example.com/app:2")
        XCTAssertEqual(store.image("example.com/app:latest")?.id, app.configDigest, "another reference keeps the image")
        try store.remove("example.com/app:latest")
        XCTAssertNil(store.image(app.configDigest))
        XCTAssertEqual(Posix.listDirectory(dir + "/store/layers").count, 1, "the base layer stays for the base image")
        try store.remove(base.configDigest)
        XCTAssertTrue(Posix.listDirectory(dir + "/store/layers").isEmpty)
        XCTAssertThrowsError(try store.remove("example.com/app:2")) { XCTAssertTrue("\($0)".contains("not found"), "\($0)") }
    }

    func testAbandonedTemporariesAreCleanedOnOpen() throws {
        let store = try ImageStore(root: dir + "/store")
        let stale = try Posix.makeTemporaryDirectory(in: store.temporary, prefix: "layer-")
        let fresh = try Posix.makeTemporaryDirectory(in: store.temporary, prefix: "layer-")
        Posix.setModificationTime(stale, nanoseconds: 1_000_000_000)
        _ = try ImageStore(root: dir + "/store")
        XCTAssertFalse(Posix.exists(stale))
        XCTAssertTrue(Posix.exists(fresh), "a concurrent pull's work in progress is left alone")
    }
}
