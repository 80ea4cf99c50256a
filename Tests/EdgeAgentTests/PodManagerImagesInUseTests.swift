import XCTest
import EdgeAPI
import EdgeClient
import EdgeInProcess
import EdgeRuntime
@testable import EdgeAgent
#if canImport(Glibc)
import Glibc
#endif

/// What image GC is told to keep: every image the pods bound here name, whatever their phase,
/// and the images and layers recorded by container instances on disk.
final class PodManagerImagesInUseTests: XCTestCase {
    static let pods = BuiltinResources.pods

    struct NoImages: ImageSource {
        func present(_ reference: String) -> PodImage? { nil }
        func pull(_ reference: String, credentials: [RegistryCredential]) async throws -> PodImage { throw CancellationError() }
    }

    func pod(_ name: String, node: String, images: [String], initImage: String? = nil) -> JSON {
        var spec: JSON = ["nodeName": .string(node),
                          "containers": .array(images.enumerated().map { ["name": .string("c\($0.offset)"), "image": .string($0.element)] })]
        if let initImage { spec["initContainers"] = [["name": "init", "image": .string(initImage)]] }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
    }

    func testPodSpecsOnThisNodeAndInstancesOnDiskAreInUse() async throws {
        var template = Array("/tmp/edgectl-agent-test-XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        defer { PosixFile.removeTree(dir) }
        let client = try await LocalCluster().client
        _ = try await client.create(Self.pods, namespace: "default", pod("web", node: "n1", images: ["web:1", "sidecar:2"], initImage: "setup:3"))
        _ = try await client.create(Self.pods, namespace: "default", pod("elsewhere", node: "n2", images: ["other:9"]))
        let manager = PodManager(client: client, images: NoImages(),
                                 config: PodManager.Config(nodeName: "n1", dataDir: dir, shimExecutable: "/bin/false", hostIP: "192.0.2.1"))
        let informer = Task { await manager.informer.run() }
        defer { informer.cancel() }
        await manager.informer.waitForSync()

        // A pod the API no longer has, still on disk with two instances (an old tag's layers, and a newer one).
        let gone = PodPaths(podsRoot: dir + "/pods", uid: "uid-gone")
        for (attempt, layers) in [["/s/layers/a/fs", "/s/layers/b/fs"], ["/s/layers/a/fs", "/s/layers/c/fs"]].enumerated() {
            let instance = gone.container("main", attempt: attempt)
            try PosixFile.makeDirectories(instance)
            try ContainerImageRecord(reference: "old:1", layers: layers).write(containerDir: instance)
        }
        // An instance from before image records existed is simply skipped.
        try PosixFile.makeDirectories(gone.container("legacy", attempt: 0))

        let inUse = manager.imagesInUse()
        XCTAssertEqual(inUse.references, ["web:1", "sidecar:2", "setup:3", "old:1"], "not other:9, which runs on n2")
        XCTAssertEqual(inUse.layers, ["/s/layers/a/fs", "/s/layers/b/fs", "/s/layers/c/fs"])
    }
}
