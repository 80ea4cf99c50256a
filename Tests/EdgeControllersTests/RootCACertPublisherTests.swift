import XCTest
import EdgeAPI
import EdgeClient
@testable import EdgeControllers

final class RootCACertPublisherTests: XCTestCase {
    static let configMaps = BuiltinResources.configMaps
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    func cm(_ name: String) -> JSON {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": ["v": "a value only its pods read"]]
    }

    /// The publisher keeps kube-root-ca.crt in every namespace and puts it back when changed.
    func testPublishesAndRestoresTheCABundle() async throws {
        let c = try await TestCluster([RootCACertPublisher(caPEM: Self.pem)])
        c.start()
        defer { c.stop() }
        let name = RootCACertPublisher.configMapName
        try await c.eventually("published in default") {
            try await c.client.getIfExists(Self.configMaps, namespace: "default", name: name)?[path: ["data", "ca.crt"]]?.string == Self.pem
        }
        var changed = try await c.client.get(Self.configMaps, namespace: "default", name: name)
        changed["data"] = ["ca.crt": "tampered"]
        _ = try await c.client.update(Self.configMaps, changed)
        try await c.eventually("restored") {
            try await c.client.get(Self.configMaps, namespace: "default", name: name)[path: ["data", "ca.crt"]]?.string == Self.pem
        }
    }

    /// Upstream's publisher only ever reads kube-root-ca.crt: a burst of other
    /// ConfigMaps must not stay cached in the server (they did, whole, and a board
    /// kept megabytes of objects no controller reads).
    func testCachesOnlyItsOwnConfigMaps() async throws {
        let c = try await TestCluster([RootCACertPublisher(caPEM: Self.pem), GarbageCollector()])
        c.start()
        defer { c.stop() }
        for i in 0..<20 { _ = try await c.client.create(Self.configMaps, namespace: "default", cm("app-\(i)")) }
        // The shared ConfigMap cache, asked for as the collector asks (which changes nothing).
        let informer = c.manager.context.informers.metadataInformer(Self.configMaps, keeping: GarbageCollector.actsOn)
        try await c.eventually("published") { informer.get("default/" + RootCACertPublisher.configMapName) != nil }
        try await c.eventually("the last app ConfigMap seen") {
            // Handlers hear of every object; the cache keeps only the publisher's.
            try await c.client.list(Self.configMaps, namespace: "default").items.count == 21
        }
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(informer.list().map(Informer.key).sorted().filter { !$0.hasSuffix(RootCACertPublisher.configMapName) }, [],
                       "no app ConfigMap cached")
    }
}
