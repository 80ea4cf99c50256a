import XCTest
import EdgeAPI
@testable import EdgeAPIServer

/// Write options from the query, checked before any work as upstream's CreateOptions/UpdateOptions/PatchOptions.
final class RequestOptionsTests: XCTestCase {
    func testATooLongOrUnprintableFieldManagerIs422() async throws {
        let h = try await APITestHarness()
        let long = String(repeating: "m", count: 129)
        let (code, status) = await h.call("POST", "/api/v1/namespaces/default/configmaps?fieldManager=\(long)", h.configMap("c"))
        XCTAssertEqual(code, 422)
        XCTAssertEqual(status["message"], "CreateOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: may not be more than 128 bytes")
        XCTAssertEqual(status[path: ["details", "group"]], "meta.k8s.io")
        XCTAssertEqual(status[path: ["details", "kind"]], "CreateOptions")
        let (patchCode, patch) = await h.call("PATCH", "/api/v1/namespaces/default/configmaps/c?fieldManager=a%07b", ["data": ["k": "v"]],
                                              headers: ["content-type": "application/merge-patch+json"])
        XCTAssertEqual(patchCode, 422)
        XCTAssertEqual(patch[path: ["details", "kind"]], "PatchOptions")
        XCTAssertTrue(patch["message"]?.string?.contains("invalid character U+0007 (at position 1)") ?? false, "\(patch)")
    }

    func testTheWriteContextCarriesTheUserAgentsFieldManager() throws {
        let req = HTTPRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps?dryRun=All&fieldValidation=Strict",
                              headers: ["user-agent": "kubectl/v1.37.0 (linux/amd64)"])
        let ctx = try RequestOptions.writeContext(req, user: APITestHarness.admin, subresource: "status", optionsKind: "CreateOptions")
        XCTAssertEqual(ctx.fieldManager, "kubectl")
        XCTAssertTrue(ctx.dryRun)
        XCTAssertEqual(ctx.fieldValidation, .strict)
        XCTAssertEqual(ctx.subresource, "status")
        XCTAssertEqual(ctx.user, APITestHarness.admin)
    }
}
