import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

/// GET /openapi/v2 through APIService, as kubectl and JSON clients call it.
final class OpenAPIV2EndpointTests: XCTestCase {
    static let kubectlAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    let admin = UserInfo(name: "admin", groups: ["system:masters"])

    func service() throws -> APIService {
        APIService(store: try ObjectStore(backend: MemoryBackend()),
                   authenticators: [ClientCertificateAuthenticator()],
                   openAPI: OpenAPIDocuments(v3: { _, _ in ["openapi": "3.0.0"] }, v2: OpenAPIV2ProtobufTests.servedDocument),
                   serverAddress: "127.0.0.1:6443")
    }

    func get(_ s: APIService, accept: String?, ifNoneMatch: String? = nil, method: String = "GET") async -> HTTPResponse {
        var h: [String: String] = [:]
        h["accept"] = accept
        h["if-none-match"] = ifNoneMatch
        return await s.handle(HTTPRequest(method: method, uri: "/openapi/v2", headers: h, clientCertificate: admin))
    }

    func testKubectlGetsTheProtobufDocument() async throws {
        let resp = await get(try service(), accept: Self.kubectlAccept)
        XCTAssertEqual(resp.status, 200)
        XCTAssertEqual(resp.header("Content-Type"), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
        XCTAssertEqual(resp.header("Vary"), "Accept")
        let doc = try GnosticDocumentReader.document(resp.bodyBytes)
        XCTAssertEqual(doc["swagger"], "2.0")
        XCTAssertNotNil(doc[path: ["definitions", "io.k8s.api.core.v1.Service", "properties", "spec"]])
    }

    func testJSONClientsGetTheSameDocumentAsJSON() async throws {
        let s = try service()
        let json = await get(s, accept: "application/json")
        XCTAssertEqual(json.status, 200)
        XCTAssertEqual(json.header("Content-Type"), "application/json")
        let fromJSON = try JSONParser.parse(json.bodyBytes)
        let fromProtobuf = try GnosticDocumentReader.document(await get(s, accept: Self.kubectlAccept).bodyBytes)
        XCTAssertEqual(fromJSON, fromProtobuf)
        let noAccept = await get(s, accept: nil)
        XCTAssertEqual(noAccept.header("Content-Type"), "application/json")
    }

    func testUnservedAcceptIs406WithAStatus() async throws {
        let resp = await get(try service(), accept: "application/yaml")
        XCTAssertEqual(resp.status, 406)
        let status = try JSONParser.parse(resp.bodyBytes)
        XCTAssertEqual(status["kind"], "Status")
        XCTAssertEqual(status["reason"], "NotAcceptable")
        XCTAssertEqual(status["code"], 406)
    }

    func testWritesAreNotAllowed() async throws {
        let post = await get(try service(), accept: nil, method: "POST")
        XCTAssertEqual(post.status, 405)
    }

    func testETagRevalidationPerRepresentation() async throws {
        let s = try service()
        let pb = await get(s, accept: Self.kubectlAccept)
        let json = await get(s, accept: "application/json")
        let pbTag = try XCTUnwrap(pb.header("ETag"))
        let jsonTag = try XCTUnwrap(json.header("ETag"))
        XCTAssertTrue(pbTag.hasPrefix("\"") && pbTag.hasSuffix("\""), "an ETag is a quoted string")
        XCTAssertNotEqual(pbTag, jsonTag)

        let again = await get(s, accept: Self.kubectlAccept, ifNoneMatch: pbTag)
        XCTAssertEqual(again.status, 304)
        XCTAssertTrue(again.bodyBytes.isEmpty)
        XCTAssertEqual(again.header("ETag"), pbTag)
        func status(_ ifNoneMatch: String) async -> Int { await get(s, accept: Self.kubectlAccept, ifNoneMatch: ifNoneMatch).status }
        let weak = await status("W/" + pbTag)
        let listed = await status("\"other\", " + pbTag)
        let otherForm = await status(jsonTag)
        let stale = await status("\"stale\"")
        XCTAssertEqual(weak, 304)
        XCTAssertEqual(listed, 304)
        XCTAssertEqual(otherForm, 200, "the JSON tag does not validate the protobuf body")
        XCTAssertEqual(stale, 200)
    }
}
