import EdgeAPI
import EdgeAPIServer
import EdgeAuth
import EdgeClient
import EdgeRegistry
import EdgeStore

/// An API server in this process over the memory backend, with an admin
/// client: the fake cluster unit tests of clients, controllers and the
/// scheduler run against (real API semantics, no sockets).
public struct LocalCluster: Sendable {
    public let service: APIService
    public let store: ObjectStore
    public let client: APIClient
    public static let admin = UserInfo(name: "admin", groups: ["system:masters"])

    public init() async throws {
        store = try ObjectStore(backend: MemoryBackend())
        service = APIService(store: store, authenticators: [ClientCertificateAuthenticator()],
                             openAPI: OpenAPIDocuments(v3: { _, _ in [:] }, v2: { [:] }), serverAddress: "in-process")
        try await ClusterBootstrap.ensureSystemObjects(store)
        try await BootstrapPolicy.reconcile(store)
        try await service.rbac.start()
        client = APIClient(transport: InProcessTransport.make(service, user: Self.admin))
    }
}
