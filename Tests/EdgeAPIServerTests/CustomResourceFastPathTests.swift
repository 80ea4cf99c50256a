import EdgeAPI
import EdgeStore
import XCTest
@testable import EdgeAPIServer
@testable import EdgeRegistry

/// The spliced LIST and watch paths send stored bytes only where the
/// resource's storage conversion leaves them as stored: a custom object read
/// through a version other than the one it is stored in gets that version's
/// apiVersion (conversion None), as the parse-and-encode path gives it.
final class CustomResourceFastPathTests: XCTestCase {
    static let schema: JSON = ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]

    /// A harness serving widgets.example.com in v1 (storage) and v2.
    func harness() async throws -> APITestHarness {
        let h = try await APITestHarness()
        let crd: JSON = ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                         "metadata": ["name": "widgets.example.com"],
                         "spec": ["group": "example.com", "scope": "Namespaced",
                                  "names": ["plural": "widgets", "kind": "Widget"],
                                  "versions": [["name": "v1", "served": true, "storage": true, "schema": Self.schema],
                                               ["name": "v2", "served": true, "storage": false, "schema": Self.schema]]]]
        let (code, body) = await h.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        XCTAssertEqual(code, 201, "\(body)")
        _ = try await CustomResourceDefinitionController(store: h.service.store).syncAll()
        return h
    }

    func strategy(_ h: APITestHarness, _ version: String) throws -> any ResourceStrategy {
        try XCTUnwrap(h.service.store.catalog.strategy(group: "example.com", version: version, plural: "widgets"))
    }

    func widget(_ name: String, _ apiVersion: String) -> JSON {
        ["apiVersion": .string(apiVersion), "kind": "Widget", "metadata": ["name": .string(name)], "spec": ["size": 3]]
    }

    func testListThroughEachVersionGivesThatVersionAsTheParsePathDoes() async throws {
        let h = try await harness()
        for i in 0..<3 {
            let (code, _) = await h.call("POST", "/apis/example.com/v1/namespaces/default/widgets", widget("w-\(i)", "example.com/v1"))
            XCTAssertEqual(code, 201)
        }
        let (code, _) = await h.call("POST", "/apis/example.com/v2/namespaces/default/widgets", widget("w-3", "example.com/v2"))
        XCTAssertEqual(code, 201)
        // Stored while v2 was the storage version (before the definition changed it): v2 in its bytes.
        let key = try strategy(h, "v1").resource.key(namespace: "default", name: "w-4")
        _ = try await h.backend.create(key, value: ObjectCodec.encode(widget("w-4", "example.com/v2")))

        for version in ["v1", "v2"] {
            let s = try strategy(h, version)
            for limit in [0, 2] {
                let query = limit > 0 ? ["limit": String(limit)] : [:]
                let uri = "/apis/example.com/\(version)/namespaces/default/widgets" + (limit > 0 ? "?limit=\(limit)" : "")
                let got = await h.service.handle(HTTPRequest(method: "GET", uri: uri, headers: [:], body: [],
                                                             clientCertificate: APITestHarness.admin))
                XCTAssertEqual(got.status, 200)
                let page = try await h.service.store.list(s.resource, namespace: "default", options: ListOptions(query: query, strategy: s))
                let want = HTTPResponse.json(200, Rendering.list(page, s, .object)).bodyBytes
                XCTAssertEqual(String(decoding: got.bodyBytes, as: UTF8.self), String(decoding: want, as: UTF8.self), "\(version) limit=\(limit)")
                let items = try JSONParser.parse(got.bodyBytes)["items"]?.array ?? []
                XCTAssertEqual(items.count, limit > 0 ? limit : 5)
                for item in items {
                    XCTAssertEqual(item["apiVersion"]?.string, "example.com/\(version)", "\(version): \(item[path: ["metadata", "name"]] ?? .null)")
                }
            }
        }
    }

    func testWatchThroughEachVersionGivesThatVersionAsTheParsePathDoes() async throws {
        let h = try await harness()
        for version in ["v1", "v2"] {
            let s = try strategy(h, version)
            for stored in ["example.com/v1", "example.com/v2"] {
                let kv = KeyValue(key: s.resource.key(namespace: "default", name: "w"), value: ObjectCodec.encode(widget("w", stored)),
                                  createRevision: 5, modRevision: 7)
                XCTAssertNotNil(CanonicalJSONScanner.metadataEnd(kv.value), "canonical: only the conversion decides")
                for shape in [ResponseShape.object, .metadata] {
                    let handler = WatchHandler(store: h.service.store, strategy: s, namespace: "default",
                                               options: try ListOptions(query: [:], strategy: s), shape: shape)
                    for ev in [WatchEvent(type: .put, kv: kv, prevKV: nil, isCreate: true), WatchEvent(type: .delete, kv: kv, prevKV: nil, isCreate: false)] {
                        let fast = try XCTUnwrap(try handler.translate(ev))
                        let slow = try XCTUnwrap(try handler.translateParsed(ev))
                        XCTAssertEqual(String(decoding: fast, as: UTF8.self), String(decoding: slow, as: UTF8.self), "\(version) stored \(stored) \(shape)")
                        if shape == .object {
                            XCTAssertEqual(try JSONParser.parse(fast)[path: ["object", "apiVersion"]]?.string, "example.com/\(version)")
                        }
                    }
                }
            }
        }
    }
}
