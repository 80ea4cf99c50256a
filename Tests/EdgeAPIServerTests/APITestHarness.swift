import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer

/// An APIService over the memory backend, called without HTTP.
struct APITestHarness {
    let service: APIService
    let backend: MemoryBackend
    static let admin = UserInfo(name: "admin", groups: ["system:masters"])

    init(admission: any Admission = StandardAdmission(), serviceAccountTokens: ServiceAccountTokens? = nil) async throws {
        backend = MemoryBackend()
        let store = ObjectStore(backend: backend, admission: admission)
        service = APIService(store: store, authenticators: [ClientCertificateAuthenticator()],
                             authorizer: MasterGroupAuthorizer(),
                             openAPI: OpenAPIDocuments(v3: { _, _ in ["openapi": "3.0.0"] }, v2: { ["swagger": "2.0"] }),
                             serverAddress: "127.0.0.1:6443", serviceAccountTokens: serviceAccountTokens)
        try await ClusterBootstrap.ensureSystemObjects(store)
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

    func configMap(_ name: String, _ data: JSON = ["k": "v"], labels: JSON? = nil) -> JSON {
        var o: JSON = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": data]
        if let labels { o[path: ["metadata", "labels"]] = labels }
        return o
    }
}
