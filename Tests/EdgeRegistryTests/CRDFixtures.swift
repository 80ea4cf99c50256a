import EdgeAPI
import EdgeStore
@testable import EdgeRegistry

/// A widget definition used across the custom resource tests, with every schema feature the tests touch.
enum CRDFixtures {
    static let crdResource = BuiltinResources.customResourceDefinitions
    static let admin = WriteContext(user: UserInfo(name: "admin", groups: ["system:masters"]))

    static var schema: JSON {
        ["type": "object", "properties": [
            "spec": ["type": "object", "required": ["size"], "properties": [
                "size": ["type": "integer", "minimum": 1, "maximum": 10],
                "color": ["type": "string", "enum": ["red", "blue"], "default": "red"],
                "name": ["type": "string", "pattern": "^[a-z]+$", "maxLength": 8],
                "email": ["type": "string", "format": "email"],
                "port": ["x-kubernetes-int-or-string": true],
                "note": ["type": "string", "nullable": true],
                "replicas": ["type": "integer", "default": 1],
                "free": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "template": ["type": "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true],
                "ports": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                          "items": ["type": "object", "required": ["name"], "properties": ["name": ["type": "string"], "port": ["type": "integer"]]]],
                "tags": ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]],
                "rule": ["type": "string", "x-kubernetes-validations": [["rule": "self.size() > 1"]]],
            ]],
            "status": ["type": "object", "properties": ["replicas": ["type": "integer"], "selector": ["type": "string"],
                                                        "phase": ["type": "string"]]],
        ]]
    }

    static func definition(plural: String = "widgets", kind: String = "Widget", group: String = "example.com",
                           scope: String = "Namespaced", versions: [JSON]? = nil, shortNames: [String] = ["wd"]) -> JSON {
        ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": ["name": .string("\(plural).\(group)")],
         "spec": ["group": .string(group), "scope": .string(scope),
                  "names": ["plural": .string(plural), "kind": .string(kind), "shortNames": .array(shortNames.map { .string($0) }),
                            "categories": ["toys"]],
                  "versions": .array(versions ?? [version("v1", storage: true)])]]
    }

    static func version(_ name: String, served: Bool = true, storage: Bool = false, schema: JSON? = nil) -> JSON {
        ["name": .string(name), "served": .bool(served), "storage": .bool(storage),
         "schema": ["openAPIV3Schema": schema ?? Self.schema],
         "subresources": ["status": [:], "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                                   "labelSelectorPath": ".status.selector"]],
         "additionalPrinterColumns": [
            ["name": "Size", "type": "integer", "jsonPath": ".spec.size"],
            ["name": "Color", "type": "string", "jsonPath": ".spec.color", "priority": 1],
            ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]],
         "selectableFields": [["jsonPath": ".spec.color"]]]
    }

    /// A store, a definition created in it and made established by the controller.
    static func established(_ crd: JSON = definition()) async throws -> (ObjectStore, CustomResourceDefinitionController, ResourceInfo) {
        let store = try ObjectStore(backend: MemoryBackend())
        try await ClusterBootstrap.ensureSystemObjects(store)
        _ = try await store.create(crdResource, namespace: nil, object: crd, context: admin)
        let controller = CustomResourceDefinitionController(store: store)
        try await controller.syncAll()
        let r = try store.catalog.strategy(for: ResourceInfo(group: "example.com", version: "v1", kind: "Widget", plural: "widgets",
                                                              namespaced: true)).resource
        return (store, controller, r)
    }

    static func widget(_ name: String, spec: JSON) -> JSON {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": spec]
    }
}
