import EdgeAPI
import EdgeStore
import EdgeRegistry
import EdgeAuth
import Synchronization
import XCTest
@testable import EdgeAPIServer

/// A backend that fails every call with `.unavailable` while `down` is set (etcd or PostgreSQL gone).
final class FlakyBackend: Backend {
    let inner = MemoryBackend()
    let down = Mutex(false)

    func check() throws { if down.withLock({ $0 }) { throw StoreError.unavailable("etcd is unreachable (127.0.0.1:2379: connection refused)") } }
    func get(_ key: String) async throws -> KeyValue? { try check(); return try await inner.get(key) }
    func list(prefix: String, revision: Int64, startAfter: String?, limit: Int) async throws -> ListResult {
        try check(); return try await inner.list(prefix: prefix, revision: revision, startAfter: startAfter, limit: limit)
    }
    func count(prefix: String) async throws -> Int { try check(); return try await inner.count(prefix: prefix) }
    func create(_ key: String, value: [UInt8]) async throws -> Int64 { try check(); return try await inner.create(key, value: value) }
    func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64 {
        try check(); return try await inner.update(key, value: value, expectedRevision: expectedRevision)
    }
    func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue { try check(); return try await inner.delete(key, expectedRevision: expectedRevision) }
    func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error> { inner.watch(prefix: prefix, afterRevision: afterRevision) }
    func compact(revision: Int64) async throws { try check(); try await inner.compact(revision: revision) }
    func currentRevision() async throws -> Int64 { try check(); return try await inner.currentRevision() }
    func compactedRevision() async throws -> Int64 { try check(); return try await inner.compactedRevision() }
    func close() async { await inner.close() }
}

final class StoreUnavailableTests: XCTestCase {
    func testEveryVerbAnswers503WithRetryAfterWhileTheStoreIsDown() async throws {
        let backend = FlakyBackend()
        let store = try ObjectStore(backend: backend)
        let service = APIService(store: store, authenticators: [ClientCertificateAuthenticator()],
                                 openAPI: OpenAPIDocuments(v3: { _, _ in [:] }, v2: { [:] }), serverAddress: "127.0.0.1:6443")
        try await ClusterBootstrap.ensureSystemObjects(store)
        backend.down.withLock { $0 = true }
        let cm: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"], "data": ["k": "v"]]
        let calls: [(String, String, JSON?)] = [
            ("GET", "/api/v1/namespaces/default/configmaps/a", nil),
            ("GET", "/api/v1/namespaces/default/configmaps", nil),
            ("POST", "/api/v1/namespaces/default/configmaps", cm),
            ("PUT", "/api/v1/namespaces/default/configmaps/a", cm),
            ("DELETE", "/api/v1/namespaces/default/configmaps/a", nil),
            ("GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1", nil),
        ]
        for (method, uri, body) in calls {
            let req = HTTPRequest(method: method, uri: uri, headers: ["content-type": "application/json"],
                                  body: body.map { JSONSerializer.serialize($0) } ?? [], clientCertificate: APITestHarness.admin)
            let resp = await service.handle(req)
            XCTAssertEqual(resp.status, 503, "\(method) \(uri)")
            XCTAssertTrue(resp.headers.contains { $0.0 == "Retry-After" && $0.1 == "1" }, "\(method) \(uri): \(resp.headers)")
            let status = try JSONParser.parse(resp.bodyBytes)
            XCTAssertEqual(status["reason"]?.string, "ServiceUnavailable")
            XCTAssertEqual(status[path: ["details", "retryAfterSeconds"]]?.int, 1)
        }
        backend.down.withLock { $0 = false }
        let req = HTTPRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps", headers: ["content-type": "application/json"],
                              body: JSONSerializer.serialize(cm), clientCertificate: APITestHarness.admin)
        let back = await service.handle(req)
        XCTAssertEqual(back.status, 201, "the server serves again by itself once the store is back")
    }
}
