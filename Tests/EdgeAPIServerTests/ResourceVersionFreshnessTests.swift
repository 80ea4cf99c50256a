import XCTest
import EdgeAPI
@testable import EdgeAPIServer

/// A read at a resourceVersion the store has not reached: upstream waits for it,
/// then answers 504 "Too large resource version" with its cause and retry-after.
final class ResourceVersionFreshnessTests: XCTestCase {
    func testAReadAheadOfTheStoreTimesOutWithUpstreamsStatus() async throws {
        let h = try await APITestHarness(freshnessTimeout: .milliseconds(300))
        let current = try await h.backend.currentRevision()
        let ahead = current + 1000
        for path in ["/api/v1/namespaces/default/configmaps?resourceVersion=\(ahead)",
                     "/api/v1/namespaces/default/configmaps?resourceVersion=\(ahead)&resourceVersionMatch=Exact",
                     "/api/v1/namespaces/default?resourceVersion=\(ahead)"] {
            let (code, headers, s) = await h.raw("GET", path)
            XCTAssertEqual(code, 504, path)
            XCTAssertEqual(s["reason"]?.string, "Timeout")
            XCTAssertEqual(s["message"]?.string, "Timeout: Too large resource version: \(ahead), current: \(current)")
            XCTAssertEqual(s[path: ["details", "retryAfterSeconds"]]?.int, 1)
            XCTAssertEqual(s[path: ["details", "causes"]], [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]])
            XCTAssertEqual(headers.first { $0.0 == "Retry-After" }?.1, "1")
        }
        let (past, _, s) = await h.raw("GET", "/api/v1/namespaces/default/configmaps?resourceVersion=18446744073709551615")
        XCTAssertEqual(past, 504, "\(s)")
    }

    func testAReadWaitsForTheRevisionToArrive() async throws {
        let h = try await APITestHarness(freshnessTimeout: .seconds(10))
        let current = try await h.backend.currentRevision()
        let reader = Task { await h.raw("GET", "/api/v1/namespaces/default/configmaps?resourceVersion=\(current + 2)") }
        try await Task.sleep(for: .milliseconds(100))
        for i in 0..<2 { _ = await h.call("POST", "/api/v1/namespaces/default/configmaps", h.configMap("later-\(i)")) }
        let (code, _, list) = await reader.value
        XCTAssertEqual(code, 200)
        XCTAssertEqual(list["items"]?.array?.count, 2)
    }

    func testAWatchListAheadOfTheStoreEndsWithTheTimeoutEvent() async throws {
        let h = try await APITestHarness(freshnessTimeout: .milliseconds(200))
        let ahead = try await h.backend.currentRevision() + 50
        let resp = await h.service.handle(HTTPRequest(method: "GET",
                                                      uri: "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=\(ahead)",
                                                      clientCertificate: APITestHarness.admin))
        XCTAssertEqual(resp.status, 200)
        guard case .stream(let s) = resp.body else { return XCTFail("a watch streams") }
        var text = ""
        for await c in s { text += String(decoding: c, as: UTF8.self) }
        let event = try JSONParser.parse(text)
        XCTAssertEqual(event["type"]?.string, "ERROR")
        XCTAssertEqual(event[path: ["object", "code"]]?.int, 504)
        XCTAssertEqual(event[path: ["object", "details", "causes"]]?.array?.first?["reason"]?.string, "ResourceVersionTooLarge")
    }
}
