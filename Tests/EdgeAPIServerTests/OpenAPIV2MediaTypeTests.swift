import XCTest
import EdgeAPI
@testable import EdgeAPIServer

final class OpenAPIV2MediaTypeTests: XCTestCase {
    func negotiate(_ accept: String?) -> OpenAPIV2MediaType? { OpenAPIV2MediaType.negotiate(accept: accept) }

    func testKubectlsProtobufRequestGetsProtobuf() {
        XCTAssertEqual(negotiate("application/com.github.proto-openapi.spec.v2@v1.0+protobuf"), .protobuf)
        XCTAssertEqual(negotiate("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"), .protobuf)
    }

    func testJSONAndWildcardsAndNoHeaderGetJSON() {
        XCTAssertEqual(negotiate(nil), .json)
        XCTAssertEqual(negotiate(""), .json)
        XCTAssertEqual(negotiate("application/json"), .json)
        XCTAssertEqual(negotiate("application/json;charset=utf-8"), .json)
        XCTAssertEqual(negotiate("*/*"), .json)
        XCTAssertEqual(negotiate("application/*"), .json)
    }

    func testQualityAndSpecificityOrderTheChoice() {
        XCTAssertEqual(negotiate("application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf"), .protobuf)
        XCTAssertEqual(negotiate("*/*, application/com.github.proto-openapi.spec.v2.v1.0+protobuf"), .protobuf,
                       "a named type outranks a wildcard of the same quality")
        XCTAssertEqual(negotiate("application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.9, application/json"), .json)
    }

    func testUnservedTypesAreNotAcceptable() {
        XCTAssertNil(negotiate("application/yaml"))
        XCTAssertNil(negotiate("application/vnd.kubernetes.protobuf"))
        XCTAssertNil(negotiate("text/*"))
        XCTAssertNil(negotiate("application/json;q=0"), "q=0 excludes a type")
        XCTAssertEqual(negotiate("application/yaml, application/json"), .json)
    }

    /// A clause that names no type at all ("/", "//") was read as a type and trapped the server.
    func testClausesWithoutATypeAreSkipped() {
        XCTAssertNil(negotiate("/"))
        XCTAssertNil(negotiate("//;q=1, /"))
        XCTAssertEqual(negotiate("/, application/json"), .json)
    }
}
