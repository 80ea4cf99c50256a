import XCTest
import EdgeAPI
@testable import EdgeAPIServer

final class OpenAPIV2ProtobufTests: XCTestCase {
    /// The swagger document the server serves, built as edgectl's OpenAPIFactory builds it.
    static func servedDocument() -> JSON {
        ["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.37.0"], "paths": [:],
         "definitions": OpenAPISchemas.schemas(for: BuiltinResources.all, refPrefix: OpenAPISchemas.v2RefPrefix)]
    }

    func testServedDocumentDecodesBackToTheSameDefinitions() throws {
        let doc = Self.servedDocument()
        let bytes = try OpenAPIV2Protobuf.document(doc)
        let back = try GnosticDocumentReader.document(bytes)
        XCTAssertEqual(back["swagger"], "2.0")
        XCTAssertEqual(back["info"], doc["info"])
        XCTAssertEqual(back["paths"], doc["paths"])
        let want = try XCTUnwrap(doc["definitions"]?.object)
        let got = try XCTUnwrap(back["definitions"]?.object)
        XCTAssertEqual(got.keys, want.keys, "definition names and their order")
        for name in want.keys where got[name] != want[name] {
            XCTFail("definition \(name) differs after the round trip:\n got \(got[name]!)\nwant \(want[name]!)")
        }
    }

    func testKindsCarryTheirGroupVersionKindForKubectlsLookup() throws {
        let back = try GnosticDocumentReader.document(try OpenAPIV2Protobuf.document(Self.servedDocument()))
        let cm = try XCTUnwrap(back[path: ["definitions", "io.k8s.api.core.v1.ConfigMap"]])
        XCTAssertEqual(cm["x-kubernetes-group-version-kind"], [["group": "", "kind": "ConfigMap", "version": "v1"]])
        let deploy = try XCTUnwrap(back[path: ["definitions", "io.k8s.api.apps.v1.Deployment"]])
        XCTAssertEqual(deploy[path: ["properties", "metadata", "$ref"]], "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                       "swagger 2.0 readers follow a bare $ref, not allOf")
        XCTAssertNil(deploy[path: ["properties", "metadata", "allOf"]])
    }

    func testFalseAdditionalPropertiesIsWrittenAsTheBooleanChoice() throws {
        let doc: JSON = ["definitions": ["closed": ["type": "object", "additionalProperties": false,
                                                     "properties": ["a": ["type": "string", "maxLength": 3]]]]]
        let back = try GnosticDocumentReader.document(try OpenAPIV2Protobuf.document(doc))
        XCTAssertEqual(back["definitions"], doc["definitions"])
    }

    func testUnmappedKeyIsAnErrorNamingIt() {
        let doc: JSON = ["definitions": ["io.x.Thing": ["type": "object", "properties": ["a": ["type": "string", "xml": ["name": "a"]]]]]]
        XCTAssertThrowsError(try OpenAPIV2Protobuf.document(doc)) { error in
            XCTAssertEqual((error as? OpenAPIV2Protobuf.UnsupportedField)?.path, "definitions.io.x.Thing.properties.a.xml")
        }
        XCTAssertThrowsError(try OpenAPIV2Protobuf.document(["paths": ["/api/v1/pods": [:]]]))
    }

    func testWireEncodingOfScalars() {
        var w = ProtobufWriter()
        w.string(1, "hi")
        w.string(2, "")          // proto3: zero values are not written
        w.bool(3, false)
        w.int64(4, 300)
        w.double(5, 1.5)
        w.oneofBool(6, false)
        XCTAssertEqual(w.bytes, [0x0A, 2, 0x68, 0x69, 0x20, 0xAC, 0x02, 0x29, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x30, 0])
    }
}
