import EdgeCommandLine
import EdgeAPI
import EdgeAPIServer
import EdgeAuth
import EdgeRegistry
import EdgeStore
import NIOCore
import NIOPosix

/// `edgectl dev-server`: the API server over plain HTTP on loopback with an
/// in-memory store and one static admin token. For debugging client
/// interactions (e.g. `kubectl -v=8`) without certificates; never for clusters.
struct DevServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-server",
        abstract: "Development only: API server on 127.0.0.1 over plain HTTP with an in-memory store.",
        shouldDisplay: false
    )

    @Option var port: Int = 8080

    func run() async throws {
        ShutdownSignal.listen()
        let backend = MemoryBackend()
        let store = try ObjectStore(backend: backend)
        try await ClusterBootstrap.ensureSystemObjects(store)
        let service = APIService(
            store: store,
            // kubectl sends no credentials over plain HTTP, so every loopback caller is admin here.
            authenticators: [LoopbackAdmin()],
            openAPI: OpenAPIDocuments(catalog: store.catalog, version: BuildInfo.kubernetesVersion), serverAddress: "127.0.0.1:\(port)")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let ch = try await HTTPServer.start(host: "127.0.0.1", port: port, group: group, service: service)
        print("dev API server on http://127.0.0.1:\(port); every caller is admin")
        let bg = Task { await NamespaceFinalizer(store: store).run() }
        let crds = Task { await CustomResourceDefinitionController(store: store).run() }
        await ShutdownSignal.wait()
        bg.cancel()
        crds.cancel()
        try? await ch.close()
    }
}

struct LoopbackAdmin: Authenticator {
    func authenticate(_ request: AuthenticationRequest) async throws -> UserInfo? { UserInfo(name: "admin", groups: ["system:masters"]) }
}
