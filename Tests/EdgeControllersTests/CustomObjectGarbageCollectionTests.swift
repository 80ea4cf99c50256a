import XCTest
import EdgeAPI
import EdgeRegistry
@testable import EdgeControllers

/// Owner references between custom objects and built-in ones are followed as between built-ins.
final class CustomObjectGarbageCollectionTests: XCTestCase {
    static let crd: JSON = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.example.com"],
        "spec": ["group": "example.com", "scope": "Namespaced", "names": ["plural": "widgets", "kind": "Widget"],
                 "versions": [["name": "v1", "served": true, "storage": true,
                               "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]]]
    static let widgets = ResourceInfo(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true)

    func testDependentsOfAGoneCustomOwnerAndCustomDependentsOfAGoneOwnerAreDeleted() async throws {
        let c = try await TestCluster([GarbageCollector()])
        _ = try await c.client.create(BuiltinResources.customResourceDefinitions, namespace: nil, Self.crd)
        try await CustomResourceDefinitionController(store: c.local.store).syncAll()
        c.start()
        defer { c.stop() }

        let owner = try await c.client.create(Self.widgets, namespace: "default",
                                              ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "owner"]])
        let ownerRef: JSON = ["apiVersion": "example.com/v1", "kind": "Widget", "name": "owner",
                              "uid": owner[path: ["metadata", "uid"]] ?? ""]
        _ = try await c.client.create(BuiltinResources.configMaps, namespace: "default",
                                      ["metadata": ["name": "owned", "ownerReferences": [ownerRef]]])
        let cmOwner = try await c.client.create(BuiltinResources.configMaps, namespace: "default", ["metadata": ["name": "cm-owner"]])
        let cmRef: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "name": "cm-owner", "uid": cmOwner[path: ["metadata", "uid"]] ?? ""]
        _ = try await c.client.create(Self.widgets, namespace: "default",
                                      ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "dependent", "ownerReferences": [cmRef]]])
        try await Task.sleep(for: .milliseconds(300))
        let kept = try await c.client.getIfExists(BuiltinResources.configMaps, namespace: "default", name: "owned")
        XCTAssertNotNil(kept, "a dependent whose custom owner exists stays")

        try await c.client.delete(Self.widgets, namespace: "default", name: "owner")
        try await c.client.delete(BuiltinResources.configMaps, namespace: "default", name: "cm-owner")
        try await c.eventually("dependents gone") {
            let a = try await c.client.getIfExists(BuiltinResources.configMaps, namespace: "default", name: "owned")
            let b = try await c.client.getIfExists(Self.widgets, namespace: "default", name: "dependent")
            return a == nil && b == nil
        }
    }
}
