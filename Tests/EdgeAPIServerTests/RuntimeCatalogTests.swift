import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

/// A resource registered in the catalog while the server runs is served at once (verbs, discovery,
/// OpenAPI, tables from its strategy), and stops being served when removed: what a custom resource
/// definition will do.
final class RuntimeCatalogTests: XCTestCase {
    struct WidgetStrategy: ResourceStrategy {
        let resource = ResourceInfo(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true,
                                    shortNames: ["wd"], categories: ["all"], subresources: ["status"])
        func checkDecoding(_ obj: JSON) -> DecodeReport { DecodeReport() }
        func pruneUnknownFields(_ obj: inout JSON) {}
        var patchSchema: (any PatchSchemaNode)? { nil }
        func applyDefaults(_ obj: inout JSON) {
            if obj[path: ["spec", "color"]] == nil { obj[path: ["spec", "color"]] = "blue" }
        }
        func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] {
            obj[path: ["spec", "size"]]?.int.map { $0 < 0 ? [.invalid("spec.size", .int($0), "must be greater than or equal to 0")] : [] } ?? []
        }
        var tableColumns: [TableColumn] { [.name, TableColumn("Color") { o, _ in o[path: ["spec", "color"]] ?? "" }, .age] }
        var selectableFields: [String] { ["spec.color"] }
        var openAPI: ResourceOpenAPI {
            .custom(schemaName: "com.example.v1.Widget") { _ in
                var definitions = JSONObject()
                definitions["com.example.v1.Widget"] = ["type": "object",
                                                        "x-kubernetes-group-version-kind": [["group": "example.com", "version": "v1", "kind": "Widget"]]]
                return definitions
            }
        }
    }

    func widget(_ name: String, _ spec: JSON = [:]) -> JSON {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": spec]
    }

    func testAResourceRegisteredAtRunTimeIsServedAndThenGone() async throws {
        let h = try await APITestHarness()
        let catalog = h.service.store.catalog
        let (before, _) = await h.call("POST", "/apis/example.com/v1/namespaces/default/widgets", widget("w"))
        XCTAssertEqual(before, 404)

        catalog.register(WidgetStrategy())
        let (created, w) = await h.call("POST", "/apis/example.com/v1/namespaces/default/widgets", widget("w", ["size": 2]))
        XCTAssertEqual(created, 201)
        XCTAssertEqual(w[path: ["spec", "color"]], "blue", "the strategy's defaults")
        XCTAssertEqual(w[path: ["status"]], [:], "a create starts the status empty")
        let (invalid, status) = await h.call("POST", "/apis/example.com/v1/namespaces/default/widgets", widget("bad", ["size": -1]))
        XCTAssertEqual(invalid, 422)
        XCTAssertEqual(status["message"], "Widget.example.com \"bad\" is invalid: spec.size: Invalid value: -1: must be greater than or equal to 0")
        let (listed, list) = await h.call("GET", "/apis/example.com/v1/namespaces/default/widgets?fieldSelector=spec.color%3Dblue")
        XCTAssertEqual(listed, 200)
        XCTAssertEqual(list["kind"], "WidgetList")
        XCTAssertEqual(list["items"]?.array?.count, 1)
        let (_, table) = await h.call("GET", "/apis/example.com/v1/namespaces/default/widgets",
                                      headers: ["accept": "application/json;as=Table;v=v1;g=meta.k8s.io"])
        XCTAssertEqual(table["columnDefinitions"]?.array?.map { $0["name"] }, ["Name", "Color", "Age"])

        let (_, groups) = await h.call("GET", "/apis")
        XCTAssertTrue(groups["groups"]?.array?.contains { $0["name"] == "example.com" } ?? false, "discovery rebuilt for the new version")
        let (_, resources) = await h.call("GET", "/apis/example.com/v1")
        XCTAssertEqual(resources["resources"]?.array?.first?["shortNames"], ["wd"])

        XCTAssertTrue(catalog.remove(group: "example.com", version: "v1", plural: "widgets"))
        let (gone, _) = await h.call("GET", "/apis/example.com/v1/namespaces/default/widgets/w")
        XCTAssertEqual(gone, 404)
        let (_, groupsAfter) = await h.call("GET", "/apis")
        XCTAssertFalse(groupsAfter["groups"]?.array?.contains { $0["name"] == "example.com" } ?? true)
    }

    func testOpenAPIDocumentsFollowTheCatalog() throws {
        let catalog = BuiltinStrategies.catalog(services: try ServiceAllocator())
        let docs = OpenAPIDocuments(catalog: catalog, version: "v1.37.0")
        XCTAssertNil(docs.v3Index()[path: ["paths", "apis/example.com/v1"]])
        catalog.register(WidgetStrategy())
        let url = docs.v3Index()[path: ["paths", "apis/example.com/v1", "serverRelativeURL"]]?.string
        XCTAssertNotNil(url)
        let doc = try JSONParser.parse(docs.v3(path: "apis/example.com/v1") ?? [])
        XCTAssertNotNil(doc[path: ["paths", "/apis/example.com/v1/namespaces/{namespace}/widgets"]])
        XCTAssertNotNil(doc[path: ["components", "schemas", "com.example.v1.Widget"]])
    }
}
