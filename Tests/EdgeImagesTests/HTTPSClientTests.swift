import XCTest
import EdgeTLS
import NIOCore
import NIOPosix
@testable import EdgeImages
#if canImport(Glibc)
import Glibc
#endif

/// The HTTPS path registries other than loopback take: EdgeTLS (mbedtls)
/// under the same HTTP client, verifying the server against SSL_CERT_FILE.
final class HTTPSClientTests: XCTestCase {
    /// Answers every connection with one fixed response, then closes.
    final class FixedResponder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        var answered = false
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else { return }
            answered = true
            let body = #"{"hello":"tls"}"#
            let text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
        }
    }

    func testFetchesOverTLSAndRefusesAnUntrustedServer() async throws {
        let dir = try TestFiles.temporaryDirectory()
        defer { TestFiles.remove(dir); unsetenv("SSL_CERT_FILE") }
        let caKey = try PKI.generateKey()
        let caCert = try PKI.makeCA(keyPEM: caKey, commonName: "test registry CA")
        let serverKey = try PKI.generateKey()
        let serverCert = try PKI.signCertificate(caCertPEM: caCert, caKeyPEM: caKey, subjectKeyPEM: serverKey,
                                                 subject: CertificateSubject(commonName: "registry"), ipAddresses: ["127.0.0.1"], usage: .serverAuth)
        let serverTLS = try TLSConfiguration.server(certificateChainPEM: serverCert, keyPEM: serverKey, clientCAPEM: nil)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.addHandler(try TLSHandler(configuration: serverTLS))
                    try ch.pipeline.syncOperations.addHandler(FixedResponder())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress!.port!
        defer { server.close(promise: nil) }
        let url = try RegistryURL.parse("https://127.0.0.1:\(port)/v2/")

        try TestFiles.write(dir + "/ca.pem", Array(caCert.utf8))
        setenv("SSL_CERT_FILE", dir + "/ca.pem", 1)
        let (head, body) = try await HTTPClient().fetch(url, headers: [])
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), #"{"hello":"tls"}"#)

        // A CA that did not sign the server's certificate: the request must fail, not fall back to plain trust.
        let otherCA = try PKI.makeCA(keyPEM: try PKI.generateKey(), commonName: "someone else")
        try TestFiles.write(dir + "/other.pem", Array(otherCA.utf8))
        setenv("SSL_CERT_FILE", dir + "/other.pem", 1)
        do {
            _ = try await HTTPClient().fetch(url, headers: [])
            XCTFail("an untrusted server was accepted")
        } catch {}
    }
}
