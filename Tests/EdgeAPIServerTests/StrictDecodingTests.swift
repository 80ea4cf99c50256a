import XCTest
import EdgeAPI
@testable import EdgeAPIServer

/// fieldValidation and repeated keys, as upstream's field validation tests
/// (test/integration/apiserver/field_validation_test.go) expect them.
final class StrictDecodingTests: XCTestCase {
    /// Upstream's test body: a repeated metadata.name, unknown fields, and repeats known and unknown.
    static func deployment(_ name: String) -> String {
        #"""
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "dupename", "name": "NAME", "labels": {"app": "nginx"}, "unknownMeta": "metaVal"},
         "spec": {"unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
                  "selector": {"matchLabels": {"app": "nginx"}},
                  "template": {"metadata": {"labels": {"app": "nginx"}},
                               "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1",
                                                        "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}
        """#.replacing("NAME", with: name)
    }

    static let findings = [
        #"duplicate field "metadata.name""#, #"unknown field "metadata.unknownMeta""#, #"unknown field "spec.unknown1""#,
        #"unknown field "spec.unknownDupe""#, #"duplicate field "spec.paused""#,
        #"unknown field "spec.template.spec.containers[0].unknownNested""#,
        #"duplicate field "spec.template.spec.containers[0].imagePullPolicy""#,
    ]

    func testStrictRefusesRepeatedKeysWithUpstreamsMessage() async throws {
        let h = try await APITestHarness()
        let (code, _, body) = await h.raw("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", body: Self.deployment("strict"))
        XCTAssertEqual(code, 400)
        XCTAssertEqual(body["reason"]?.string, "BadRequest")
        XCTAssertEqual(body["message"]?.string,
                       "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: " + Self.findings.joined(separator: ", "))
        // A repeat alone is refused too.
        let (c2, _, b2) = await h.raw("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
                                      body: #"{"metadata": {"name": "x"}, "data": {"a": "1", "a": "2"}}"#)
        XCTAssertEqual(c2, 400)
        XCTAssertTrue(b2["message"]?.string?.hasSuffix(#"strict decoding error: duplicate field "data.a""#) ?? false, "\(b2)")
    }

    func testWarnReportsEachFindingAsAWarningAndIgnoreSaysNothing() async throws {
        let h = try await APITestHarness()
        for (mode, expected) in [("Warn", Self.findings), ("", Self.findings), ("Ignore", [])] {
            let name = "d-\(mode.lowercased().isEmpty ? "default" : mode.lowercased())"
            let (code, headers, body) = await h.raw("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=\(mode)",
                                                    body: Self.deployment(name))
            XCTAssertEqual(code, 201, "\(body)")
            let warnings = headers.filter { $0.0 == "Warning" }.map(\.1)
            XCTAssertEqual(warnings, expected.map { "299 - \"\($0.replacing("\"", with: "\\\""))\"" }, mode)
            XCTAssertEqual(body[path: ["spec", "paused"]]?.bool, false, "the last value of a repeated key wins")
            XCTAssertEqual(body[path: ["metadata", "name"]]?.string, name)
            XCTAssertNil(body[path: ["spec", "unknown1"]], "unknown fields are dropped")
        }
    }

    func testMergePatchRepeatsComeFirstAsUpstreamReportsThem() async throws {
        let h = try await APITestHarness()
        let (c0, _, _) = await h.raw("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata": {"name": "p"}, "data": {"a": "1"}}"#)
        XCTAssertEqual(c0, 201)
        let (code, _, body) = await h.raw("PATCH", "/api/v1/namespaces/default/configmaps/p?fieldValidation=Strict",
                                          body: #"{"data": {"a": "2", "a": "3"}, "bogus": 1}"#, contentType: "application/merge-patch+json")
        XCTAssertEqual(code, 400)
        XCTAssertEqual(body["message"]?.string, #"strict decoding error: duplicate field "data.a", unknown field "bogus""#)
        let (jc, _, jb) = await h.raw("PATCH", "/api/v1/namespaces/default/configmaps/p?fieldValidation=Strict",
                                      body: #"[{"op": "add", "path": "/data/b", "value": "x", "foo": "bar"}, {"op": "add", "path": "/data/c", "path": "/data/d", "value": "y"}]"#,
                                      contentType: "application/json-patch+json")
        XCTAssertEqual(jc, 400)
        XCTAssertEqual(jb["message"]?.string, #"strict decoding error: json patch unknown field "[0].foo", json patch duplicate field "[1].path""#)
    }

    func testJSONPatchesAreBoundedAsUpstreams() async throws {
        let h = try await APITestHarness()
        _ = await h.raw("POST", "/api/v1/namespaces/default/configmaps", body: #"{"metadata": {"name": "j"}, "data": {"a": "1"}}"#)
        let ops = "[" + (0...JSONPatch.maxOperations).map { _ in #"{"op": "test", "path": "/data/a", "value": "1"}"# }.joined(separator: ",") + "]"
        let (code, _, body) = await h.raw("PATCH", "/api/v1/namespaces/default/configmaps/j", body: ops, contentType: "application/json-patch+json")
        XCTAssertEqual(code, 413)
        XCTAssertEqual(body["message"]?.string, "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001")
        // Copies that would double the object again and again stop at upstream's 3 MiB of copied data.
        let big = String(repeating: "x", count: 500_000)
        _ = await h.raw("PATCH", "/api/v1/namespaces/default/configmaps/j", body: #"{"data": {"a": "\#(big)"}}"#,
                        contentType: "application/merge-patch+json")
        let copies = "[" + (0..<10).map { #"{"op": "copy", "from": "/data/a", "path": "/data/c\#($0)"}"# }.joined(separator: ",") + "]"
        let (cc, _, cb) = await h.raw("PATCH", "/api/v1/namespaces/default/configmaps/j", body: copies, contentType: "application/json-patch+json")
        XCTAssertEqual(cc, 422)
        XCTAssertTrue(cb["message"]?.string?.contains("exceeding the limit 3145728") ?? false, "\(cb)")
    }
}
