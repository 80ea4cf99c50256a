import XCTest
import EdgeAPI
import EdgeAPIServer
import EdgeRegistry
import EdgeAuth
import EdgeStore
import EdgeTLS
import NIOPosix
import Synchronization
@testable import EdgeClient

/// A real HTTPS API server on loopback that knows users only by client certificate.
final class HTTPSTransportTests: XCTestCase {
    static let caKey = try! PKI.generateKey()
    static let caCert = try! PKI.makeCA(keyPEM: caKey, commonName: "test-ca")
    static let pods = BuiltinResources.pods

    static func clientTLS(_ cn: String, _ groups: [String]) throws -> TLSConfiguration {
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: cn, organizations: groups), usage: .clientAuth, days: 1)
        return try TLSConfiguration.client(trustedCAPEM: caCert, certificatePEM: cert, keyPEM: key)
    }

    func server() async throws -> (port: Int, close: () async -> Void) {
        let store = try ObjectStore(backend: MemoryBackend())
        try await ClusterBootstrap.ensureSystemObjects(store)
        let service = APIService(store: store, authenticators: [ClientCertificateAuthenticator()],
                                 openAPI: OpenAPIDocuments(v3: { _, _ in [:] }, v2: { [:] }), serverAddress: "127.0.0.1")
        let key = try PKI.generateKey()
        let cert = try PKI.signCertificate(caCertPEM: Self.caCert, caKeyPEM: Self.caKey, subjectKeyPEM: key,
                                           subject: CertificateSubject(commonName: "kube-apiserver"), ipAddresses: ["127.0.0.1"],
                                           usage: .serverAuth, days: 1)
        let tls = try TLSConfiguration.server(certificateChainPEM: cert, keyPEM: key, clientCAPEM: Self.caCert)
        let channel = try await HTTPServer.start(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton, service: service,
                                                 tlsHandler: { try TLSHandler(configuration: tls) })
        return (channel.localAddress!.port!, { try? await channel.close() })
    }

    func testNewCredentialsApplyToLaterRequestsAndEndOpenWatches() async throws {
        let (port, close) = try await server()
        let node = try Self.clientTLS("system:node:pi-1", ["system:nodes"])
        let transport = try HTTPSTransport(server: "https://127.0.0.1:\(port)", tls: node, group: MultiThreadedEventLoopGroup.singleton)
        let client = APIClient(transport: transport)
        _ = try await client.list(Self.pods)
        XCTAssertEqual(transport.idle.withLock { $0.count }, 1, "the connection is kept for reuse")
        let (status, chunks) = try await transport.stream(ClientRequest(method: "GET", uri: "/api/v1/pods?watch=true",
                                                                      headers: ["accept": "application/json"]))
        XCTAssertEqual(status, 200)
        let ended = Mutex(false)
        let watcher = Task {
            do { for try await _ in chunks {} } catch {}
            ended.withLock { $0 = true }
        }
        defer { watcher.cancel() }

        // A user no rule lets list pods: if the pooled connection (made as the node) were reused, this would still succeed.
        transport.useTLS(try Self.clientTLS("jane", []))
        do {
            _ = try await client.list(Self.pods)
            XCTFail("the request went out with the old certificate")
        } catch let e as APIError {
            XCTAssertEqual(e.code, 403)
            XCTAssertTrue(e.message.contains("\"jane\""), e.message)
        }
        for _ in 0..<250 where !ended.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        XCTAssertTrue(ended.withLock { $0 }, "the watch made with the old certificate was closed, for its watcher to reconnect")

        transport.useTLS(node)
        _ = try await client.list(Self.pods)
        await close()
    }
}
