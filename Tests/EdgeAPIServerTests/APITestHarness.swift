import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer
@testable import EdgeRegistry
@testable import EdgeAuth

/// An APIService over the memory backend, called without HTTP.
struct APITestHarness {
    let service: APIService
    let backend: MemoryBackend
    static let admin = UserInfo(name: "admin", groups: ["system:masters"])

    init(admission: AdmissionChain = .standard, serviceAccountTokens: ServiceAccountTokens? = nil,
         freshnessTimeout: Duration = .seconds(3), auditor: Auditor? = nil) async throws {
        backend = MemoryBackend()
        let store = ObjectStore(backend: backend, catalog: BuiltinStrategies.catalog(services: try ServiceAllocator()),
                                admission: admission, freshnessTimeout: freshnessTimeout)
        service = APIService(store: store, authenticators: [ClientCertificateAuthenticator()],
                             
                             openAPI: OpenAPIDocuments(v3: { _, _ in ["openapi": "3.0.0"] }, v2: { ["swagger": "2.0"] }),
                             serverAddress: "127.0.0.1:6443", serviceAccountTokens: serviceAccountTokens, auditor: auditor)
        try await ClusterBootstrap.ensureSystemObjects(store)
        try await BootstrapPolicy.reconcile(store)
    }

    func call(_ method: String, _ uri: String, _ body: JSON? = nil, user: UserInfo? = admin,
              headers: [String: String] = [:]) async -> (Int, JSON) {
        var h = headers
        if h["content-type"] == nil { h["content-type"] = "application/json" }
        let req = HTTPRequest(method: method, uri: uri, headers: h, body: body.map { JSONSerializer.serialize($0) } ?? [],
                              clientCertificate: user)
        let resp = await service.handle(req)
        let parsed = (try? JSONParser.parse(resp.bodyBytes)) ?? .null
        return (resp.status, parsed)
    }

    /// A request with a raw body (any bytes), answered whole: status, headers and body.
    func raw(_ method: String, _ uri: String, body: String = "", contentType: String = "application/json") async -> (Int, [(String, String)], JSON) {
        let req = HTTPRequest(method: method, uri: uri, headers: ["content-type": contentType], body: Array(body.utf8),
                              clientCertificate: Self.admin)
        let resp = await service.handle(req)
        return (resp.status, resp.headers, (try? JSONParser.parse(resp.bodyBytes)) ?? .null)
    }

    func configMap(_ name: String, _ data: JSON = ["k": "v"], labels: JSON? = nil) -> JSON {
        var o: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": data]
        if let labels { o[path: ["metadata", "labels"]] = labels }
        return o
    }
}
