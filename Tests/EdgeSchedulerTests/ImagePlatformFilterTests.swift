import XCTest
import EdgeAPI
@testable import EdgeScheduler

/// Multi-arch clusters: nodes publish what their images offer; the scheduler keeps a
/// pod off nodes whose platform none of its image's variants runs on.
final class ImagePlatformFilterTests: XCTestCase {
    static let amd64 = ImagePlatform(architecture: "amd64")
    static let arm64 = ImagePlatform(architecture: "arm64", variant: "v8")
    static let armv7 = ImagePlatform(architecture: "arm", variant: "v7")

    func node(_ name: String, arch: String?, variant: String? = nil, images: [String: [ImagePlatform]] = [:]) -> NodeInfo {
        var labels = JSONObject()
        if let arch { labels["kubernetes.io/arch"] = .string(arch); labels["kubernetes.io/os"] = "linux" }
        if let variant { labels[ImagePlatform.variantLabel] = .string(variant) }
        var metadata: JSON = ["name": .string(name), "labels": .object(labels)]
        if !images.isEmpty { metadata["annotations"] = [NodeImagePlatforms.annotation: .string(NodeImagePlatforms.encode(images))] }
        return NodeInfo(node: ["metadata": metadata, "status": ["allocatable": ["cpu": "4", "memory": "8Gi", "pods": 110],
                                                             "conditions": [["type": "Ready", "status": "True"]]]])
    }

    func pod(_ images: [String], initImages: [String] = []) -> JSON {
        ["metadata": ["name": "p", "namespace": "default"],
         "spec": ["initContainers": .array(initImages.map { ["name": "i", "image": .string($0)] }),
                  "containers": .array(images.map { ["name": "c", "image": .string($0)] })]]
    }

    /// Filters as the scheduler does: the index is built from the nodes' annotations.
    func run(_ pod: JSON, _ nodes: [NodeInfo]) -> ([String], String) {
        var index = ImagePlatformIndex()
        for n in nodes { index.update(node: n.name, images: n.imagePlatforms) }
        var placed = PlacedPod(pod: pod)
        placed.imagePlatforms = PlacedPod.images(pod).compactMap { i in index.platforms(of: i).map { (i, $0) } }
        let dict = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        let (ok, reasons, _) = Scheduler.filter(pod, placed, dict, order: nodes.map(\.name), start: 0)
        return (ok.map(\.name).sorted(), Scheduler.fitErrorMessage(total: nodes.count, reasons: reasons))
    }

    func testNodesWithoutAVariantForTheirPlatformAreFilteredOutNamingIt() {
        let nodes = [node("x86", arch: "amd64", images: ["example.com/app:1": [Self.amd64]]),
                     node("pi4", arch: "arm64"), node("pi2", arch: "arm", variant: "v7")]
        let (ok, msg) = run(pod(["example.com/app:1"]), nodes)
        XCTAssertEqual(ok, ["x86"])
        XCTAssertEqual(msg, "0/3 nodes are available: 1 node(s) had no image for linux/arm/v7 (example.com/app:1 offers linux/amd64), "
                          + "1 node(s) had no image for linux/arm64 (example.com/app:1 offers linux/amd64).")
    }

    func testAMultiArchImageRunsEverywhereItOffersAndArmVariantsFallBack() {
        let nodes = [node("x86", arch: "amd64", images: ["example.com/multi:1": [Self.amd64, Self.arm64]]),
                     node("pi4", arch: "arm64"), node("pi2", arch: "arm", variant: "v7"), node("pi1", arch: "arm", variant: "v6")]
        XCTAssertEqual(run(pod(["example.com/multi:1"]), nodes).0, ["pi4", "x86"])
        // arm/v6 images run on a v7 board (not the other way round); arm without a variant means v7.
        let armOnly = [node("pi2", arch: "arm", variant: "v7", images: ["example.com/old:1": [ImagePlatform(architecture: "arm", variant: "v6")]]),
                       node("pi1", arch: "arm", variant: "v6"), node("plain", arch: "arm")]
        XCTAssertEqual(run(pod(["example.com/old:1"]), armOnly).0, ["pi1", "pi2", "plain"])
        let v7 = [node("pi2", arch: "arm", variant: "v7", images: ["example.com/new:1": [Self.armv7]]), node("pi1", arch: "arm", variant: "v6")]
        XCTAssertEqual(run(pod(["example.com/new:1"]), v7).0, ["pi2"])
    }

    func testUnknownImagesAndNodesWithoutArchHoldNothingBack() {
        let nodes = [node("x86", arch: "amd64", images: ["example.com/app:1": [Self.amd64]]), node("pi4", arch: "arm64"), node("bare", arch: nil)]
        // Nobody reported this image: every node stays in.
        XCTAssertEqual(run(pod(["example.com/unknown:1"]), nodes).0, ["bare", "pi4", "x86"])
        // A node without kubernetes.io/arch is not judged.
        XCTAssertEqual(run(pod(["example.com/app:1"]), nodes).0, ["bare", "x86"])
    }

    func testEveryImageOfThePodCountsInitContainersToo() {
        let nodes = [node("x86", arch: "amd64", images: ["example.com/app:1": [Self.amd64, Self.arm64], "example.com/setup:1": [Self.amd64]]),
                     node("pi4", arch: "arm64")]
        XCTAssertEqual(run(pod(["example.com/app:1"]), nodes).0, ["pi4", "x86"])
        let (ok, msg) = run(pod(["example.com/app:1"], initImages: ["example.com/setup:1"]), nodes)
        XCTAssertEqual(ok, ["x86"])
        XCTAssertTrue(msg.contains("had no image for linux/arm64 (example.com/setup:1 offers linux/amd64)"), msg)
    }

    /// What one node reports is shared by all; a node can add platforms but not take
    /// them away (the union), and a node's report goes when the node goes.
    func testIndexIsTheUnionOfWhatNodesReport() {
        var index = ImagePlatformIndex()
        index.update(node: "a", images: ["img": [Self.amd64]])
        index.update(node: "b", images: ["img": [Self.arm64], "other": [Self.armv7]])
        XCTAssertEqual(index.platforms(of: "img"), [Self.amd64, Self.arm64])
        index.update(node: "b", images: ["other": [Self.armv7]])
        XCTAssertEqual(index.platforms(of: "img"), [Self.amd64])
        index.remove(node: "a")
        XCTAssertNil(index.platforms(of: "img"))
        XCTAssertEqual(index.platforms(of: "other"), [Self.armv7])
    }

    /// The annotation is bounded and checked: garbage or oversized reads as nothing.
    func testAnnotationRoundTripsAndRefusesGarbage() {
        let images = ["docker.io/library/busybox:latest": [Self.amd64, Self.arm64, Self.armv7]]
        let text = NodeImagePlatforms.encode(images)
        XCTAssertEqual(text, #"{"docker.io/library/busybox:latest":["linux/amd64","linux/arm64/v8","linux/arm/v7"]}"#)
        XCTAssertEqual(NodeImagePlatforms.decode(text), images)
        XCTAssertEqual(NodeImagePlatforms.decode("not json"), [:])
        XCTAssertEqual(NodeImagePlatforms.decode(#"{"a":"linux/amd64","b":[1,2]}"#), [:])
        XCTAssertEqual(NodeImagePlatforms.decode(String(repeating: " ", count: NodeImagePlatforms.maxBytes + 1) + "{}"), [:])
        let many = Dictionary(uniqueKeysWithValues: (0..<1000).map { ("img\($0)", [Self.amd64]) })
        XCTAssertEqual(NodeImagePlatforms.decode(NodeImagePlatforms.encode(many)).count, NodeImagePlatforms.maxImages)
    }
}
