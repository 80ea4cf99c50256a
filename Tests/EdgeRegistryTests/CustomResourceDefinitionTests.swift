import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeRegistry

final class CustomResourceDefinitionTests: XCTestCase {
    let crds = CRDFixtures.crdResource

    func create(_ store: ObjectStore, _ crd: JSON) async throws -> (JSON, [String]) {
        try await store.create(crds, namespace: nil, object: crd, context: CRDFixtures.admin)
    }

    func invalid(_ crd: JSON, file: StaticString = #filePath, line: UInt = #line) async throws -> APIError {
        let store = try ObjectStore(backend: MemoryBackend())
        do {
            _ = try await create(store, crd)
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422, file: file, line: line)
            let left = try await store.listAll(crds, namespace: nil)
            XCTAssertTrue(left.items.isEmpty, "a refused definition is not stored", file: file, line: line)
            return e
        }
        XCTFail("accepted", file: file, line: line)
        return APIError.internalError("accepted")
    }

    func testTheDefinitionResourceIsServedAsUpstreamNamesIt() throws {
        let catalog = BuiltinStrategies.catalog(services: try ServiceAllocator())
        let s = try XCTUnwrap(catalog.strategy(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions"))
        XCTAssertEqual(s.resource.shortNames, ["crd", "crds"])
        XCTAssertFalse(s.resource.namespaced)
        XCTAssertEqual(s.resource.subresources, ["status"])
    }

    func testNamesVersionsAndScopeAreValidatedAsUpstream() async throws {
        var crd = CRDFixtures.definition()
        crd[path: ["metadata", "name"]] = "gadgets.example.com"
        var e = try await invalid(crd)
        XCTAssertEqual(e.message, #"CustomResourceDefinition.apiextensions.k8s.io "gadgets.example.com" is invalid: metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group"#)

        crd = CRDFixtures.definition(scope: "Global")
        e = try await invalid(crd)
        XCTAssertTrue(e.message.contains(#"spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced""#), e.message)

        crd = CRDFixtures.definition(versions: [CRDFixtures.version("v1", storage: true), CRDFixtures.version("v2", storage: true)])
        e = try await invalid(crd)
        XCTAssertTrue(e.message.contains("spec.versions: Invalid value: "), e.message)
        XCTAssertTrue(e.message.contains("must have exactly one version marked as storage version"), e.message)

        crd = CRDFixtures.definition(group: "examplecom")
        crd[path: ["metadata", "name"]] = "widgets.examplecom"
        e = try await invalid(crd)
        XCTAssertTrue(e.message.contains(#"spec.group: Invalid value: "examplecom": should be a domain with at least one dot"#), e.message)

        crd = CRDFixtures.definition(plural: "Widgets")
        e = try await invalid(crd)
        XCTAssertTrue(e.message.contains("spec.names.plural: Invalid value: \"Widgets\": a DNS-1035 label"), e.message)

        crd = CRDFixtures.definition(group: "things.k8s.io")
        crd[path: ["metadata", "name"]] = "widgets.things.k8s.io"
        e = try await invalid(crd)
        XCTAssertTrue(e.message.contains("protected groups must have approval annotation"), e.message)
    }

    func testANonStructuralSchemaIsRefusedAsUpstreamWordsIt() async throws {
        let schema: JSON = ["type": "object", "properties": ["spec": ["properties": ["a": ["type": "string"]]]]]
        let crd = CRDFixtures.definition(versions: [CRDFixtures.version("v1", storage: true, schema: schema)])
        let e = try await invalid(crd)
        XCTAssertEqual(e.message, #"CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"#)
        XCTAssertEqual(e.details?.causes.first?.field, "spec.versions[0].schema.openAPIV3Schema.properties[spec].type")

        let typed: JSON = ["type": "object", "properties": ["spec": ["type": "object", "anyOf": [["type": "object"]]]]]
        let e2 = try await invalid(CRDFixtures.definition(versions: [CRDFixtures.version("v1", storage: true, schema: typed)]))
        XCTAssertTrue(e2.message.contains("properties[spec].anyOf[0].type: Forbidden: must be empty to be structural"), e2.message)

        let lookahead: JSON = ["type": "object", "properties": ["spec": ["type": "string", "pattern": "^(?=a)a+$"]]]
        let e4 = try await invalid(CRDFixtures.definition(versions: [CRDFixtures.version("v1", storage: true, schema: lookahead)]))
        XCTAssertTrue(e4.message.contains("properties[spec].pattern: Invalid value: \"^(?=a)a+$\": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"), e4.message)

        let missing: JSON = ["name": "v1", "served": true, "storage": true]
        let e3 = try await invalid(CRDFixtures.definition(versions: [missing]))
        XCTAssertTrue(e3.message.contains("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"), e3.message)
    }

    func testANumberPastMetadataGenerationIsA400AsGosDecoderWordsIt() async throws {
        let store = try ObjectStore(backend: MemoryBackend())
        var crd = CRDFixtures.definition()
        crd[path: ["metadata", "generation"]] = .double(1e30)
        do {
            _ = try await create(store, crd)
            XCTFail("accepted")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 400)
            XCTAssertTrue(e.message.contains("into Go struct field ObjectMeta.metadata.generation of type int64"), e.message)
        }
        let (s2, _, r) = try await CRDFixtures.established()
        var w = CRDFixtures.widget("w", spec: ["size": 1])
        w[path: ["metadata", "generation"]] = .double(1e30)
        do {
            _ = try await s2.create(r, namespace: "default", object: w, context: CRDFixtures.admin)
            XCTFail("accepted")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 400, e.message)
        }
    }

    func testTheControllerEstablishesTheDefinitionAndServesEachServedVersion() async throws {
        let crd = CRDFixtures.definition(versions: [CRDFixtures.version("v1", storage: true), CRDFixtures.version("v2"),
                                                    CRDFixtures.version("v0", served: false)])
        let (store, _, r) = try await CRDFixtures.established(crd)
        XCTAssertEqual(r.shortNames, ["wd"])
        XCTAssertEqual(r.categories, ["toys"])
        XCTAssertEqual(r.subresources, ["status", "scale"])
        XCTAssertNotNil(store.catalog.strategy(group: "example.com", version: "v2", plural: "widgets"))
        XCTAssertNil(store.catalog.strategy(group: "example.com", version: "v0", plural: "widgets"), "a version not served is not served")

        let stored = try await store.get(crds, namespace: nil, name: "widgets.example.com")
        let conditions = stored[path: ["status", "conditions"]]?.array ?? []
        XCTAssertEqual(conditions.first { $0["type"] == "NamesAccepted" }?["status"], "True")
        XCTAssertEqual(conditions.first { $0["type"] == "Established" }?["status"], "True")
        XCTAssertEqual(conditions.first { $0["type"] == "Established" }?["reason"], "InitialNamesAccepted")
        XCTAssertEqual(stored[path: ["status", "acceptedNames", "listKind"]], "WidgetList")
        XCTAssertEqual(stored[path: ["status", "storedVersions"]], ["v1"])
        XCTAssertEqual(stored[path: ["spec", "conversion", "strategy"]], "None", "defaulted as upstream")
        XCTAssertEqual(stored[path: ["metadata", "generation"]], 1)

        // Written through v2, stored in v1, read back through each version with its own apiVersion (conversion None).
        var w = CRDFixtures.widget("a", spec: ["size": 2])
        w["apiVersion"] = "example.com/v2"
        let v2 = try XCTUnwrap(store.catalog.strategy(group: "example.com", version: "v2", plural: "widgets")).resource
        let (created, _) = try await store.create(v2, namespace: "default", object: w, context: CRDFixtures.admin)
        XCTAssertEqual(created["apiVersion"], "example.com/v2")
        let raw = try await store.backend.get(r.key(namespace: "default", name: "a"))
        XCTAssertEqual(try ObjectCodec.decode(try XCTUnwrap(raw))["apiVersion"], "example.com/v1")
        let viaV1 = try await store.get(r, namespace: "default", name: "a")
        XCTAssertEqual(viaV1["apiVersion"], "example.com/v1")
    }

    func testListKindNamesTheListsOfTheServedResource() async throws {
        let (_, _, defaulted) = try await CRDFixtures.established()
        XCTAssertEqual(defaulted.listKind, "WidgetList", "Kind+List when spec.names.listKind is not set")

        var crd = CRDFixtures.definition()
        crd[path: ["spec", "names", "listKind"]] = "WidgetCollection"
        let (store, _, r) = try await CRDFixtures.established(crd)
        XCTAssertEqual(r.listKind, "WidgetCollection")
        let stored = try await store.get(crds, namespace: nil, name: "widgets.example.com")
        XCTAssertEqual(stored[path: ["status", "acceptedNames", "listKind"]], "WidgetCollection")
    }

    func testStatusWritesDoNotRebuildWhatIsServed() async throws {
        let (store, controller, _) = try await CRDFixtures.established()
        let version = store.catalog.version
        try await controller.syncAll()
        try await controller.syncAll()
        XCTAssertEqual(store.catalog.version, version, "the controller's own status write is not a change of the definition")
        _ = try await store.guaranteedUpdate(crds, namespace: nil, name: "widgets.example.com", context: CRDFixtures.admin) { old in
            var new = old
            new[path: ["spec", "names", "shortNames"]] = ["wd", "wdg"]
            return (new, false)
        }
        try await controller.syncAll()
        XCTAssertGreaterThan(store.catalog.version, version)
        XCTAssertEqual(store.catalog.strategy(group: "example.com", version: "v1", plural: "widgets")?.resource.shortNames, ["wd", "wdg"])
    }

    func testConflictingNamesAreNotAccepted() async throws {
        let (store, controller, _) = try await CRDFixtures.established()
        var other = CRDFixtures.definition(plural: "gizmos", kind: "Gizmo", shortNames: ["wd"])
        other[path: ["metadata", "name"]] = "gizmos.example.com"
        _ = try await create(store, other)
        try await controller.syncAll()
        let stored = try await store.get(crds, namespace: nil, name: "gizmos.example.com")
        let accepted = stored[path: ["status", "conditions"]]?.array?.first { $0["type"] == "NamesAccepted" }
        XCTAssertEqual(accepted?["status"], "False")
        XCTAssertEqual(accepted?["reason"], "ShortNamesConflict")
        XCTAssertEqual(accepted?["message"], #""wd" is already in use"#)
        XCTAssertNil(store.catalog.strategy(group: "example.com", version: "v1", plural: "gizmos"))
    }

    func testValidationRulesAreStoredWithAWarningThatTheyAreNotEvaluated() async throws {
        let store = try ObjectStore(backend: MemoryBackend())
        let (obj, warnings) = try await create(store, CRDFixtures.definition())
        XCTAssertEqual(warnings, ["spec.versions[0].schema.openAPIV3Schema: x-kubernetes-validations rules are stored but not evaluated by this server (no CEL evaluator)"])
        XCTAssertNotNil(obj[path: ["spec", "versions"]]?.array?.first?[path: ["schema", "openAPIV3Schema", "properties", "spec", "properties", "rule", "x-kubernetes-validations"]])
    }

    func testServerSideApplyOfADefinitionCarriesTheSameWarning() async throws {
        let store = try ObjectStore(backend: MemoryBackend())
        var ctx = CRDFixtures.admin
        ctx.fieldManager = "kubectl"
        let expected = ["spec.versions[0].schema.openAPIV3Schema: x-kubernetes-validations rules are stored but not evaluated by this server (no CEL evaluator)"]
        let created = try await store.apply(crds, namespace: nil, name: "widgets.example.com", configuration: CRDFixtures.definition(),
                                            force: false, context: ctx)
        XCTAssertTrue(created.created)
        XCTAssertEqual(created.warnings, expected, "applied as a create")
        let updated = try await store.apply(crds, namespace: nil, name: "widgets.example.com", configuration: CRDFixtures.definition(),
                                            force: false, context: ctx)
        XCTAssertFalse(updated.created)
        XCTAssertEqual(updated.warnings, expected, "applied as an update")
    }

    func testDeletingTheDefinitionDeletesItsObjectsThenStopsServing() async throws {
        let (store, controller, r) = try await CRDFixtures.established()
        for n in ["a", "b"] {
            _ = try await store.create(r, namespace: "default", object: CRDFixtures.widget(n, spec: ["size": 1]), context: CRDFixtures.admin)
        }
        let outcome = try await store.delete(crds, namespace: nil, name: "widgets.example.com", options: DeleteOptions(), context: CRDFixtures.admin)
        XCTAssertFalse(outcome.deletedNow, "the definition waits for its objects")
        XCTAssertEqual(outcome.object[path: ["metadata", "finalizers"]], [.string(CustomResourceDefinitionStrategy.cleanupFinalizer)])
        // While deleting, objects may be read but not created.
        try await controller.syncAll()
        do {
            _ = try await store.create(r, namespace: "default", object: CRDFixtures.widget("c", spec: ["size": 1]), context: CRDFixtures.admin)
            XCTFail("created while the definition is deleted")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 405)
        }
        try await controller.syncAll()
        try await controller.syncAll()
        let left = try await store.backend.list(prefix: r.keyPrefix, revision: 0, startAfter: nil, limit: 0)
        XCTAssertTrue(left.items.isEmpty)
        let crdLeft = try await store.getIfExists(crds, namespace: nil, name: "widgets.example.com")
        XCTAssertNil(crdLeft)
        XCTAssertNil(store.catalog.strategy(group: "example.com", version: "v1", plural: "widgets"))
    }
}
