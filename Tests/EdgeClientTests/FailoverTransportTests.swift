import XCTest
import EdgeAPI
import EdgeAPIServer
import EdgeStore
import EdgeRegistry
import EdgeAuth
import EdgeTLS
import NIOPosix
import Synchronization
@testable import EdgeClient

final class FailoverTransportTests: XCTestCase {
    static let pods = BuiltinResources.pods

    /// An API server on loopback over one shared store (several servers, one datastore).
    func server(_ store: ObjectStore) async throws -> (url: String, close: () async -> Void) {
        let service = APIService(store: store, authenticators: [ClientCertificateAuthenticator()],
                                 openAPI: OpenAPIDocuments(v3: { _, _ in [:] }, v2: { [:] }), serverAddress: "127.0.0.1")
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: HTTPSTransportTests.caCert, caKeyPEM: HTTPSTransportTests.caKey, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: "kube-apiserver"), ipAddresses: ["127.0.0.1"],
                                           usage: .serverAuth, days: 1)
        let tls = try TLSConfiguration.server(certificateChainPEM: cert, keyPEM: key, clientCAPEM: HTTPSTransportTests.caCert)
        let channel = try await HTTPServer.start(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton, service: service,
                                                 tlsHandler: { try TLSHandler(configuration: tls) })
        return ("https://127.0.0.1:\(channel.localAddress!.port!)", { try? await channel.close() })
    }

    func testRequestsAndWatchesMoveToAnotherServerWhenOneDies() async throws {
        let store = try ObjectStore(backend: MemoryBackend())
        try await ClusterBootstrap.ensureSystemObjects(store, apiServerIP: "127.0.0.1")
        let (a, closeA) = try await server(store)
        let (b, closeB) = try await server(store)
        let admin = try HTTPSTransportTests.clientTLS("admin", ["system:masters"])
        let saved = Mutex<[String]>([])
        let t = try FailoverTransport(servers: [a], tls: admin, group: MultiThreadedEventLoopGroup.singleton) { s in saved.withLock { $0 = s } }
        let client = APIClient(transport: t)
        // The Endpoints name both servers: the agent learns b from them.
        let endpoints = BuiltinResources.endpoints
        var ep = try await client.get(endpoints, namespace: "default", name: "kubernetes")
        ep["subsets"] = .array([a, b].map { url in
            let port = Int64(url.split(separator: ":").last!)!
            return ["addresses": [["ip": "127.0.0.1"]], "ports": [["name": "https", "port": .int(port), "protocol": "TCP"]]]
        })
        _ = try await client.update(endpoints, ep)
        try await t.refresh(client)
        XCTAssertEqual(Set(t.servers), [a, b])
        XCTAssertEqual(Set(saved.withLock { $0 }), [a, b], "the list is handed over to be kept on disk")
        XCTAssertEqual(t.currentServer, a)
        await closeA()
        t.useTLS(admin) // drops kept-alive connections, as a dead server's are
        _ = try await client.list(Self.pods)
        XCTAssertEqual(t.currentServer, b, "requests moved to the live server")
        let (status, _) = try await t.stream(ClientRequest(method: "GET", uri: "/api/v1/pods?watch=true", headers: ["accept": "application/json"]))
        XCTAssertEqual(status, 200, "a watch opens on the live server")
        await closeB()
    }

    func testServersFromEndpointsAndTheSeedIsKept() throws {
        let ep: JSON = ["subsets": [
            ["addresses": [["ip": "10.0.0.2"], ["ip": "10.0.0.1"]], "ports": [["name": "https", "port": 6443, "protocol": "TCP"]]],
            ["addresses": [["ip": "fd00::1"]], "ports": [["name": "https", "port": 7443, "protocol": "TCP"]]],
        ]]
        XCTAssertEqual(FailoverTransport.servers(fromEndpoints: ep), ["https://10.0.0.1:6443", "https://10.0.0.2:6443", "https://[fd00::1]:7443"])
        let t = try FailoverTransport(servers: ["https://vip.example:6443"], tls: try TLSConfiguration.client(trustedCAPEM: nil),
                                      group: MultiThreadedEventLoopGroup.singleton)
        try t.update(["https://10.0.0.1:6443"])
        XCTAssertEqual(Set(t.servers), ["https://vip.example:6443", "https://10.0.0.1:6443"], "the joined address stays")
    }
}
