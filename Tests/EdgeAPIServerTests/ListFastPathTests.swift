import EdgeAPI
import EdgeStore
import XCTest
@testable import EdgeAPIServer
@testable import EdgeRegistry

/// LIST answers with stored bytes spliced, not each object parsed and encoded
/// again. These tests hold it to the path it replaced: for every built-in kind,
/// the same bytes (objects, order, resourceVersions, continue tokens) page by
/// page, whatever the stored bytes look like; and Table output and paging with
/// selectors, which still parse, keep working beside it.
final class ListFastPathTests: XCTestCase {
    /// Objects as the store writes them: the canonical form the fast path splices.
    static func canonical(_ r: ResourceInfo, _ name: String, _ ns: String?, _ i: Int) -> [UInt8] {
        var meta: JSON = ["name": .string(name), "uid": .string("uid-\(i)"), "generation": .int(Int64(i)),
                          "creationTimestamp": "2026-12-05T12:00:00Z",
                          "labels": ["app": "web", "tier": .string(i % 2 == 0 ? "even" : "odd")],
                          "annotations": ["html": "<b>&amp;</b>", "quote": "say \"hi\" \\ back", "lines": "a\nb\tc\r\u{01}\u{1F}",
                                          "unicode": "héllo ✓ 𝄞 \u{7F}", "slash": "a/b"]]
        if let ns { meta["namespace"] = .string(ns) }
        if i % 5 == 0 { meta["finalizers"] = ["example.com/keep"] }
        let spec: JSON = ["replicas": .int(Int64(i)), "negative": -42, "big": .int(999_999_999_999_999_999), "zero": 0,
                          "on": true, "off": false, "nothing": .null, "empty": [:], "none": [],
                          "nested": [["a": [1, 2, [3]]], ["b": ["c": ["d": "e"]]]],
                          "deep": (0..<40).reduce(JSON.array([])) { inner, _ in .array([inner]) }]
        let obj: JSON = ["apiVersion": .string(r.apiVersion), "kind": .string(r.kind), "metadata": meta, "spec": spec,
                         "status": ["phase": "Running"]]
        return ObjectCodec.encode(obj)
    }

    /// Stored bytes the splice must not claim, each in a way the parser reads
    /// differently from its bytes (or refuses): these take the parse path, and
    /// the answer must still be the same.
    static func unusual(_ r: ResourceInfo, _ name: String, _ ns: String?) -> [[UInt8]] {
        let nsField = ns.map { ",\"namespace\":\"\($0)\"" } ?? ""
        let head = "{\"apiVersion\":\"\(r.apiVersion)\",\"kind\":\"\(r.kind)\",\"metadata\":{\"name\":\"\(name)\"\(nsField)"
        var docs: [String] = [
            "{ \"apiVersion\": \"\(r.apiVersion)\", \"kind\": \"\(r.kind)\", \"metadata\": {\"name\": \"\(name)\"\(nsField)} }",
            head + "},\"spec\":{\"f\":1.5,\"g\":1e3,\"h\":2.0,\"i\":-0,\"j\":12345678901234567890}}",
            head + "},\"spec\":{\"a\":1,\"a\":2}}",
            head + ",\"name\":\"again\"},\"spec\":{}}",
            head + "},\"spec\":{\"x\":\"\\/\\u0041\\u003C\\u003c\\b\\f\"}}",
            head + ",\"resourceVersion\":\"77\"}}",
            head + ",\"labels\":{\"caf\u{E9}\":\"1\",\"cafe\u{301}\":\"2\"}}}",
            head + ",\"labels\":{\"clé\":\"v\"}}}",
            "{\"apiVersion\":\"\(r.apiVersion)\",\"kind\":\"\(r.kind)\",\"spec\":{}}",
            "{\"apiVersion\":\"\(r.apiVersion)\",\"kind\":\"\(r.kind)\",\"metadata\":\"odd\"}",
            head + ",\"labels\":{" + (0..<80).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}}}",
            head + "},\"raw\":\"<&>\"}",
            head + "}} ",
        ]
        var bytes = docs.map { Array($0.utf8) }
        // Ill-formed UTF-8 (a lone continuation byte, an overlong slash, a surrogate): the parser repairs these.
        for bad: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            bytes.append(Array((head + "},\"s\":\"a").utf8) + bad + Array("b\"}".utf8))
        }
        return bytes
    }

    func testListMatchesTheParseAndEncodePathForEveryBuiltinKind() async throws {
        let h = try await APITestHarness()
        var spliced = 0
        // The review kinds are answered, never stored or listed.
        let listed = BuiltinResources.all.filter { !$0.isCreateOnly }
        for r in listed {
            let namespaces: [String?] = r.namespaced ? ["default", "other"] : [nil]
            for ns in namespaces {
                let prefix = r.listPrefix(namespace: ns)
                for i in 0..<12 {
                    let name = "fast-\(i)"
                    let value = Self.canonical(r, name, ns, i)
                    if CanonicalJSONScanner.metadataEnd(value) != nil { spliced += 1 }
                    _ = try await h.backend.create(prefix + name, value: value)
                }
                for (j, value) in Self.unusual(r, "odd", ns).enumerated() {
                    XCTAssertNil(CanonicalJSONScanner.metadataEnd(value), "\(r.plural) unusual #\(j) must take the parse path")
                    _ = try await h.backend.create(prefix + "odd-\(j)", value: value)
                }
                // Updated objects: resourceVersions differ from the create revisions.
                let v = Self.canonical(r, "fast-3", ns, 300)
                _ = try await h.backend.update(prefix + "fast-3", value: v, expectedRevision: try await h.backend.get(prefix + "fast-3")!.modRevision)
            }
            let strategy = try h.service.store.catalog.strategy(for: r)
            for ns in (r.namespaced ? ["default", nil] : [nil]) as [String?] {
                for limit in [0, 1, 4, 7, 500] {
                    var token: String?
                    var pages = 0
                    repeat {
                        var query = limit > 0 ? ["limit": String(limit)] : [:]
                        if let token { query["continue"] = token }
                        let got = await h.service.handle(HTTPRequest(method: "GET", uri: Self.uri(r, ns, query), headers: [:], body: [],
                                                                     clientCertificate: APITestHarness.admin))
                        let page = try await h.service.store.list(r, namespace: ns, options: ListOptions(query: query, strategy: strategy))
                        let want = HTTPResponse.json(200, Rendering.list(page, strategy, .object)).bodyBytes
                        XCTAssertEqual(got.status, 200)
                        XCTAssertEqual(String(decoding: got.bodyBytes, as: UTF8.self), String(decoding: want, as: UTF8.self),
                                       "\(r.plural) ns=\(ns ?? "-") limit=\(limit) page \(pages)")
                        XCTAssertEqual(got.header("Content-Type"), "application/json")
                        token = page.continueToken
                        let parsed = try JSONParser.parse(got.bodyBytes)
                        XCTAssertEqual(parsed[path: ["metadata", "continue"]]?.string, token)
                        pages += 1
                    } while token != nil && pages < 100
                    XCTAssertNil(token, "paging ends")
                }
            }
        }
        XCTAssertEqual(spliced, listed.reduce(0) { $0 + ($1.namespaced ? 24 : 12) }, "canonical objects take the splice")
    }

    /// Objects written through the API carry managedFields (every write records them):
    /// their stored bytes still take the splice, and the LIST is the parse path's.
    func testObjectsWrittenThroughTheAPIWithManagedFieldsTakeTheSplice() async throws {
        let h = try await APITestHarness()
        for i in 0..<5 {
            let (code, _) = await h.call("POST", "/api/v1/namespaces/default/configmaps?fieldManager=test", h.configMap("mf-\(i)"))
            XCTAssertEqual(code, 201)
        }
        let (code, _) = await h.call("PATCH", "/api/v1/namespaces/default/configmaps/mf-1?fieldManager=other", ["data": ["x": "y"]],
                                     headers: ["content-type": "application/merge-patch+json"])
        XCTAssertEqual(code, 200)
        let r = BuiltinResources.configMaps
        for i in 0..<5 {
            let stored = try await h.backend.get(r.key(namespace: "default", name: "mf-\(i)"))
            let kv = try XCTUnwrap(stored)
            XCTAssertNotNil(try ObjectCodec.decode(kv)[path: ["metadata", "managedFields"]], "mf-\(i) has managedFields")
            XCTAssertNotNil(CanonicalJSONScanner.metadataEnd(kv.value), "mf-\(i) is stored in the canonical form")
        }
        let strategy = try h.service.store.catalog.strategy(for: r)
        let got = await h.service.handle(HTTPRequest(method: "GET", uri: "/api/v1/namespaces/default/configmaps", headers: [:], body: [],
                                                     clientCertificate: APITestHarness.admin))
        let page = try await h.service.store.list(r, namespace: "default", options: ListOptions(query: [:], strategy: strategy))
        let want = HTTPResponse.json(200, Rendering.list(page, strategy, .object)).bodyBytes
        XCTAssertEqual(String(decoding: got.bodyBytes, as: UTF8.self), String(decoding: want, as: UTF8.self))
        let items = try JSONParser.parse(got.bodyBytes)["items"]?.array ?? []
        XCTAssertEqual(items.count, 5)
        XCTAssertEqual(items[1][path: ["metadata", "managedFields"]]?.array?.count, 2)
    }

    /// Selectors and Tables still parse; with paging they give what they gave before.
    func testSelectorsAndTablesStillPage() async throws {
        let h = try await APITestHarness()
        for i in 0..<9 {
            let (code, _) = await h.call("POST", "/api/v1/namespaces/default/configmaps",
                                         h.configMap("cm-\(i)", labels: ["parity": .string(i % 2 == 0 ? "even" : "odd")]))
            XCTAssertEqual(code, 201)
        }
        // Label selector with paging: the even ones only, two a page, in name order.
        var names: [String] = []
        var token: String?
        repeat {
            var uri = "/api/v1/namespaces/default/configmaps?labelSelector=parity%3Deven&limit=2"
            if let token { uri += "&continue=" + Self.escape(token) }
            let (code, body) = await h.call("GET", uri)
            XCTAssertEqual(code, 200)
            names += body["items"]?.array?.compactMap { $0[path: ["metadata", "name"]]?.string } ?? []
            token = body[path: ["metadata", "continue"]]?.string
        } while token != nil && names.count < 20
        XCTAssertEqual(names, ["cm-0", "cm-2", "cm-4", "cm-6", "cm-8"])

        // Table with paging: rows of every page, the continue token in the Table's metadata.
        var rows: [String] = []
        token = nil
        let tableAccept = ["accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"]
        repeat {
            var uri = "/api/v1/namespaces/default/configmaps?limit=4"
            if let token { uri += "&continue=" + Self.escape(token) }
            let (code, body) = await h.call("GET", uri, headers: tableAccept)
            XCTAssertEqual(code, 200)
            XCTAssertEqual(body["kind"]?.string, "Table")
            rows += body["rows"]?.array?.compactMap { $0["cells"]?.array?.first?.string } ?? []
            token = body[path: ["metadata", "continue"]]?.string
        } while token != nil && rows.count < 40
        XCTAssertEqual(rows, (0..<9).map { "cm-\($0)" })
        let (_, plain) = await h.call("GET", "/api/v1/namespaces/default/configmaps")
        XCTAssertEqual(plain["items"]?.array?.count, 9)
        XCTAssertEqual(plain["items"]?.array?.first?[path: ["metadata", "resourceVersion"]]?.string?.isEmpty, false)
    }

    static func escape(_ s: String) -> String {
        s.utf8.map { c in
            let unreserved = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
            // Percent-encoding without Foundation's String(format:) (the armv7 tests have none).
            let hex = Array("0123456789ABCDEF")
            return unreserved ? String(UnicodeScalar(c)) : "%" + String(hex[Int(c >> 4)]) + String(hex[Int(c & 0xF)])
        }.joined()
    }

    static func uri(_ r: ResourceInfo, _ ns: String?, _ query: [String: String]) -> String {
        var path = r.group.isEmpty ? "/api/\(r.version)" : "/apis/\(r.group)/\(r.version)"
        if let ns { path += "/namespaces/\(ns)" }
        path += "/" + r.plural
        let q = query.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.escape($0.value))" }
        return q.isEmpty ? path : path + "?" + q.joined(separator: "&")
    }
}

