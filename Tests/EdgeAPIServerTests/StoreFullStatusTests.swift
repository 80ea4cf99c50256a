import XCTest
import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

/// A full store answers as kube-apiserver answers etcd's NOSPACE: 500, no
/// reason, a message a person can read (no nested quoting).
final class StoreFullStatusTests: XCTestCase {
    /// The memory backend, out of space for everything but deletes.
    struct FullBackend: Backend {
        let inner = MemoryBackend()
        func get(_ key: String) async throws -> KeyValue? { try await inner.get(key) }
        func list(prefix: String, revision: Int64, startAfter: String?, limit: Int) async throws -> ListResult {
            try await inner.list(prefix: prefix, revision: revision, startAfter: startAfter, limit: limit)
        }
        func count(prefix: String) async throws -> Int { try await inner.count(prefix: prefix) }
        func create(_ key: String, value: [UInt8]) async throws -> Int64 {
            if key.hasPrefix("/registry/configmaps/") { throw StoreError.noSpace("database or disk is full (in: COMMIT)") }
            return try await inner.create(key, value: value)
        }
        func update(_ key: String, value: [UInt8], expectedRevision: Int64) async throws -> Int64 {
            throw StoreError.noSpace("database or disk is full (in: COMMIT)")
        }
        func delete(_ key: String, expectedRevision: Int64?) async throws -> KeyValue { try await inner.delete(key, expectedRevision: expectedRevision) }
        func watch(prefix: String, afterRevision: Int64) -> AsyncThrowingStream<WatchEvent, Error> { inner.watch(prefix: prefix, afterRevision: afterRevision) }
        func compact(revision: Int64) async throws { try await inner.compact(revision: revision) }
        func currentRevision() async throws -> Int64 { try await inner.currentRevision() }
        func compactedRevision() async throws -> Int64 { try await inner.compactedRevision() }
        func close() async {}
    }

    func testAFullStoreAnswers500WithAReadableMessageAndNoReason() async throws {
        let store = try ObjectStore(backend: FullBackend())
        let service = APIService(store: store, authenticators: [ClientCertificateAuthenticator()],
                                 openAPI: OpenAPIDocuments(v3: { _, _ in [:] }, v2: { [:] }), serverAddress: "127.0.0.1:6443")
        try await ClusterBootstrap.ensureSystemObjects(store)
        let body: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"], "data": ["k": "v"]]
        let resp = await service.handle(HTTPRequest(method: "POST", uri: "/api/v1/namespaces/default/configmaps",
                                                    headers: ["content-type": "application/json"], body: JSONSerializer.serialize(body),
                                                    clientCertificate: APITestHarness.admin))
        XCTAssertEqual(resp.status, 500)
        let status = try JSONParser.parse(resp.bodyBytes)
        XCTAssertEqual(status["kind"], "Status")
        XCTAssertEqual(status["code"], 500)
        XCTAssertNil(status["reason"], "upstream's StatusReasonUnknown is empty and omitted")
        let message = try XCTUnwrap(status["message"]?.string)
        XCTAssertTrue(message.contains("database space exceeded") && message.contains("deletes are still accepted"), message)
        XCTAssertFalse(message.contains("\\") || message.contains("database(") || message.contains("\""), "no nested quoting: \(message)")
    }
}
