import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeRegistry

final class CustomResourceStrategyTests: XCTestCase {
    func refusal(_ store: ObjectStore, _ r: ResourceInfo, _ spec: JSON, file: StaticString = #filePath, line: UInt = #line) async throws -> APIError? {
        do {
            _ = try await store.create(r, namespace: "default", object: CRDFixtures.widget("w", spec: spec), context: CRDFixtures.admin)
            XCTFail("accepted \(spec)", file: file, line: line)
            return nil
        } catch let e as APIError {
            XCTAssertEqual(e.code, 422, e.message, file: file, line: line)
            return e
        }
    }

    func testSchemaViolationsAreRefusedAsUpstreamWordsThem() async throws {
        let (store, _, r) = try await CRDFixtures.established()
        var e = try await refusal(store, r, ["size": "big"])
        XCTAssertEqual(e?.message, #"Widget.example.com "w" is invalid: spec.size: Invalid value: "big": spec.size in body must be of type integer: "string""#)
        XCTAssertEqual(e?.details?.causes.first?.reason, "FieldValueTypeInvalid")
        e = try await refusal(store, r, [:])
        XCTAssertEqual(e?.message, #"Widget.example.com "w" is invalid: spec.size: Required value"#)
        e = try await refusal(store, r, ["size": 11])
        XCTAssertEqual(e?.message, #"Widget.example.com "w" is invalid: spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10"#)
        e = try await refusal(store, r, ["size": 1, "color": "pink"])
        XCTAssertEqual(e?.message, #"Widget.example.com "w" is invalid: spec.color: Unsupported value: "pink": supported values: "red", "blue""#)
        e = try await refusal(store, r, ["size": 1, "name": "Abc"])
        XCTAssertEqual(e?.message, #"Widget.example.com "w" is invalid: spec.name: Invalid value: "Abc": spec.name in body should match '^[a-z]+$'"#)
        e = try await refusal(store, r, ["size": 1, "email": "nobody"])
        XCTAssertEqual(e?.message, #"Widget.example.com "w" is invalid: spec.email: Invalid value: "nobody": spec.email in body must be of type email: "nobody""#)
        e = try await refusal(store, r, ["size": 1, "port": true])
        XCTAssertTrue(e?.message.contains("spec.port in body must be of type integer,string") == true, e?.message ?? "")
        e = try await refusal(store, r, ["size": 1, "template": ["spec": [:]]])
        XCTAssertTrue(e?.message.contains("spec.template.apiVersion: Required value: must not be empty") == true, e?.message ?? "")
        e = try await refusal(store, r, ["size": 1, "ports": [["name": "a"], ["name": "a"]]])
        XCTAssertTrue(e?.message.contains(#"spec.ports[1]: Duplicate value: {"name":"a"}"#) == true, e?.message ?? "")
    }

    func testValuesTheSchemaAllowsAreDefaultedPrunedAndKept() async throws {
        let (store, _, r) = try await CRDFixtures.established()
        let spec: JSON = ["size": 3, "port": "http", "note": nil, "replicas": nil, "unknown": 1, "free": ["anything": ["goes": true]],
                          "template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["x": 1]]]
        var body = CRDFixtures.widget("w", spec: spec)
        body["extra"] = "dropped"
        let (obj, warnings) = try await store.create(r, namespace: "default", object: body, context: CRDFixtures.admin)
        XCTAssertEqual(obj[path: ["spec", "color"]], "red", "defaulted")
        XCTAssertEqual(obj[path: ["spec", "replicas"]], 1, "null where the schema is not nullable takes the default")
        XCTAssertNil(obj[path: ["spec", "unknown"]], "pruned")
        XCTAssertNil(obj["extra"])
        XCTAssertEqual(obj[path: ["spec", "free", "anything", "goes"]], true, "x-kubernetes-preserve-unknown-fields keeps it")
        XCTAssertEqual(obj[path: ["spec", "template", "metadata", "name"]], "p")
        XCTAssertEqual(obj[path: ["spec", "note"]], .null, "nullable")
        XCTAssertEqual(warnings, [#"unknown field "spec.unknown""#, #"unknown field "extra""#], "in document order")
        XCTAssertEqual(obj[path: ["metadata", "generation"]], 1)

        var strict = CRDFixtures.admin
        strict.fieldValidation = .strict
        do {
            _ = try await store.create(r, namespace: "default", object: CRDFixtures.widget("s", spec: ["size": 1, "bogus": 1]), context: strict)
            XCTFail("strict accepted an unknown field")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 400)
            XCTAssertEqual(e.message, #"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus""#)
        }
    }

    func testStatusAndScaleSubresourcesSplitTheObject() async throws {
        let (store, _, r) = try await CRDFixtures.established()
        var body = CRDFixtures.widget("w", spec: ["size": 1])
        body["status"] = ["phase": "set by a client"]
        let (created, _) = try await store.create(r, namespace: "default", object: body, context: CRDFixtures.admin)
        XCTAssertNil(created[path: ["status", "phase"]], "a create resets status")

        var status = created
        status["status"] = ["replicas": 2, "selector": "app=w", "phase": "Ready"]
        status[path: ["spec", "size"]] = 9
        let afterStatus = try await store.update(r, namespace: "default", name: "w", object: status,
                                                 context: CRDFixtures.admin.with(subresource: "status")).0
        XCTAssertEqual(afterStatus[path: ["status", "phase"]], "Ready")
        XCTAssertEqual(afterStatus[path: ["spec", "size"]], 1, "the status subresource does not change spec")
        XCTAssertEqual(afterStatus[path: ["metadata", "generation"]], 1)

        let strategy = try store.catalog.strategy(for: r)
        let scale = try XCTUnwrap(strategy.scale)
        XCTAssertEqual(ScaleView.from(afterStatus, scale)[path: ["status", "selector"]], "app=w")
        let scaled = try await ScaleView.update(store, r, scale, namespace: "default", name: "w", body: ["spec": ["replicas": 5]],
                                                context: CRDFixtures.admin)
        XCTAssertEqual(scaled[path: ["spec", "replicas"]], 5)
        XCTAssertEqual(scaled[path: ["metadata", "generation"]], 2)
    }

    func testPrinterColumnsSelectableFieldsAndOpenAPI() async throws {
        let (store, _, r) = try await CRDFixtures.established()
        let strategy = try store.catalog.strategy(for: r)
        XCTAssertEqual(strategy.tableColumns.map(\.name), ["Name", "Size", "Color", "Age"])
        XCTAssertEqual(strategy.tableColumns.map(\.priority), [0, 0, 1, 0])
        let obj = CRDFixtures.widget("w", spec: ["size": 4, "color": "blue"])
        XCTAssertEqual(strategy.tableColumns[1].cell(obj, .now()), 4)
        XCTAssertEqual(strategy.tableColumns[2].cell(obj, .now()), "blue")
        XCTAssertEqual(strategy.fieldSelectorPaths, ["metadata.name", "metadata.namespace", "spec.color"])
        XCTAssertFalse(strategy.supportsStrategicMerge)

        guard case .custom(let name, let definitions) = strategy.openAPI else { return XCTFail("no OpenAPI") }
        XCTAssertEqual(name, "com.example.v1.Widget")
        let defs = definitions("#/components/schemas/")
        XCTAssertEqual(defs[name]?["x-kubernetes-group-version-kind"], [["group": "example.com", "kind": "Widget", "version": "v1"]])
        XCTAssertEqual(defs[name]?[path: ["properties", "metadata", "$ref"]], "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        XCTAssertNotNil(defs["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"])
        XCTAssertNotNil(defs["com.example.v1.WidgetList"])
        XCTAssertEqual(defs[name]?[path: ["properties", "spec", "properties", "ports", "x-kubernetes-list-map-keys"]], ["name"])

        // Swagger 2.0 has no nullable or anyOf: the v2 document leaves them out (its protobuf form has no field for them).
        let v2 = definitions("#/definitions/")[name]
        XCTAssertNil(v2?[path: ["properties", "spec", "properties", "note", "nullable"]])
        XCTAssertEqual(defs[name]?[path: ["properties", "spec", "properties", "note", "nullable"]], true)

        // What server-side apply will read: the list and map markers in the structural schema.
        let custom = try XCTUnwrap(strategy as? CustomResourceStrategy)
        XCTAssertEqual(custom.schema.properties["spec"]?.properties["ports"]?.listType, "map")
        XCTAssertEqual(custom.schema.properties["spec"]?.properties["ports"]?.listMapKeys, ["name"])
        XCTAssertEqual(custom.schema.properties["spec"]?.properties["tags"]?.listType, "set")
    }
}
