import XCTest
import NIOCore
import NIOEmbedded
@testable import EdgeTLS

/// Handshakes and data between a client and a server handler, pumping bytes
/// between two embedded channels.
final class TLSHandlerTests: XCTestCase {
    struct PKISet {
        let caKey: String, ca: String, serverKey: String, serverCert: String, clientKey: String, clientCert: String
    }

    static func makePKI(clientOrgs: [String] = ["system:masters"]) throws -> PKISet {
        let caKey = try PKI.generateKey()
        let ca = try PKI.makeCA(keyPEM: caKey, commonName: "ca")
        let sk = try PKI.generateKey()
        let sc = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: sk, subject: CertificateSubject(commonName: "server"),
                                         dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: .serverAuth)
        let ck = try PKI.generateKey()
        let cc = try PKI.signCertificate(caCertPEM: ca, caKeyPEM: caKey, subjectKeyPEM: ck,
                                         subject: CertificateSubject(commonName: "alice", organizations: clientOrgs), usage: .clientAuth)
        return PKISet(caKey: caKey, ca: ca, serverKey: sk, serverCert: sc, clientKey: ck, clientCert: cc)
    }

    final class EventRecorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var received: [UInt8] = []
        var handshake: TLSHandshakeCompleted?
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var b = unwrapInboundIn(data)
            received += b.readBytes(length: b.readableBytes) ?? []
        }
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let e = event as? TLSHandshakeCompleted { handshake = e }
        }
    }

    func pump(_ a: EmbeddedChannel, _ b: EmbeddedChannel) throws {
        for _ in 0..<50 {
            var moved = false
            while let out = try a.readOutbound(as: ByteBuffer.self) { try b.writeInbound(out); moved = true }
            while let out = try b.readOutbound(as: ByteBuffer.self) { try a.writeInbound(out); moved = true }
            if !moved { return }
        }
    }

    func connect(client: TLSConfiguration, server: TLSConfiguration, expected: String? = nil) throws
        -> (EmbeddedChannel, EventRecorder, EmbeddedChannel, EventRecorder) {
        let cRec = EventRecorder(), sRec = EventRecorder()
        let c = EmbeddedChannel(handlers: [try TLSHandler(configuration: client, expectedServerName: expected), cRec])
        let s = EmbeddedChannel(handlers: [try TLSHandler(configuration: server), sRec])
        _ = try s.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        _ = try c.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 2)).wait()
        // A failed handshake surfaces as an error from the embedded channel: the
        // recorders' state (no handshake event) is what the tests check.
        try? pump(c, s)
        return (c, cRec, s, sRec)
    }

    func testHandshakeDataBothWaysAndVerifiedClientIdentity() throws {
        let p = try Self.makePKI()
        let server = try TLSConfiguration.server(certificateChainPEM: p.serverCert, keyPEM: p.serverKey, clientCAPEM: p.ca)
        let client = try TLSConfiguration.client(trustedCAPEM: p.ca, certificatePEM: p.clientCert, keyPEM: p.clientKey)
        let (c, cRec, s, sRec) = try connect(client: client, server: server, expected: "127.0.0.1")
        XCTAssertEqual(sRec.handshake?.peer, CertificateSubject(commonName: "alice", organizations: ["system:masters"]))
        XCTAssertNotNil(cRec.handshake)
        let big = (0..<1_000_000).map { UInt8($0 % 251) }
        try c.writeAndFlush(c.allocator.buffer(bytes: big)).wait()
        try s.writeAndFlush(s.allocator.buffer(bytes: Array("pong".utf8))).wait()
        try pump(c, s)
        XCTAssertEqual(sRec.received, big, "1 MB crosses intact (many records)")
        XCTAssertEqual(cRec.received, Array("pong".utf8))
    }

    func testWritesUntilAFlushGoOutAsOneRecordInOneBuffer() throws {
        let p = try Self.makePKI()
        let server = try TLSConfiguration.server(certificateChainPEM: p.serverCert, keyPEM: p.serverKey, clientCAPEM: p.ca)
        let client = try TLSConfiguration.client(trustedCAPEM: p.ca, certificatePEM: p.clientCert, keyPEM: p.clientKey)
        let (c, cRec, s, _) = try connect(client: client, server: server, expected: "127.0.0.1")
        let head = Array("HTTP/1.1 201 Created\r\nContent-Length: 1500\r\n\r\n".utf8)
        let body = [UInt8](repeating: 0x61, count: 1500)
        let first = s.eventLoop.makePromise(of: Void.self), second = s.eventLoop.makePromise(of: Void.self)
        s.write(s.allocator.buffer(bytes: head), promise: first)
        s.write(s.allocator.buffer(bytes: body), promise: second)
        XCTAssertNil(try s.readOutbound(as: ByteBuffer.self), "nothing leaves before the flush")
        s.flush()
        var out = try XCTUnwrap(try s.readOutbound(as: ByteBuffer.self))
        XCTAssertNil(try s.readOutbound(as: ByteBuffer.self), "one buffer for both writes")
        // One application-data record: type 23, then its length covers the whole buffer.
        let bytes = out.readBytes(length: out.readableBytes) ?? []
        XCTAssertEqual(bytes.first, 23)
        XCTAssertEqual(Int(bytes[3]) << 8 | Int(bytes[4]), bytes.count - 5, "a single record")
        XCTAssertNoThrow(try first.futureResult.wait())
        XCTAssertNoThrow(try second.futureResult.wait())
        try c.writeInbound(c.allocator.buffer(bytes: bytes))
        try pump(c, s)
        XCTAssertEqual(cRec.received, head + body)
    }

    func testWritesLargerThanARecordStayIntactAndInOrder() throws {
        let p = try Self.makePKI()
        let server = try TLSConfiguration.server(certificateChainPEM: p.serverCert, keyPEM: p.serverKey, clientCAPEM: p.ca)
        let client = try TLSConfiguration.client(trustedCAPEM: p.ca, certificatePEM: p.clientCert, keyPEM: p.clientKey)
        let (c, cRec, s, _) = try connect(client: client, server: server, expected: "127.0.0.1")
        let parts: [[UInt8]] = [Array("head".utf8), (0..<40_000).map { UInt8($0 % 199) }, [], Array("tail".utf8)]
        for part in parts { s.write(s.allocator.buffer(bytes: part), promise: nil) }
        s.flush()
        try pump(c, s)
        XCTAssertEqual(cRec.received, parts.flatMap { $0 })
    }

    func testNoClientCertificateOrOneFromAnotherCAIsAnonymous() throws {
        let p = try Self.makePKI()
        let other = try Self.makePKI()
        let server = try TLSConfiguration.server(certificateChainPEM: p.serverCert, keyPEM: p.serverKey, clientCAPEM: p.ca)
        let anonymous = try connect(client: try TLSConfiguration.client(trustedCAPEM: p.ca), server: server)
        XCTAssertNotNil(anonymous.3.handshake)
        XCTAssertNil(anonymous.3.handshake?.peer)
        let foreign = try connect(client: try TLSConfiguration.client(trustedCAPEM: p.ca, certificatePEM: other.clientCert, keyPEM: other.clientKey),
                                  server: server)
        XCTAssertNotNil(foreign.3.handshake)
        XCTAssertNil(foreign.3.handshake?.peer, "a certificate from another CA authenticates nobody")
    }

    func testClientRejectsUntrustedServerAndWrongName() throws {
        let p = try Self.makePKI()
        let other = try Self.makePKI()
        let server = try TLSConfiguration.server(certificateChainPEM: p.serverCert, keyPEM: p.serverKey, clientCAPEM: nil)
        let (_, cRec, _, _) = try connect(client: try TLSConfiguration.client(trustedCAPEM: other.ca), server: server)
        XCTAssertNil(cRec.handshake, "a server signed by another CA is refused")
        let (_, cRec2, _, _) = try connect(client: try TLSConfiguration.client(trustedCAPEM: p.ca), server: server, expected: "10.9.9.9")
        XCTAssertNil(cRec2.handshake, "a certificate not naming the address is refused")
        // Without a CA the client connects and reports the chain, for hash pinning.
        let (_, cRec3, _, _) = try connect(client: try TLSConfiguration.client(trustedCAPEM: nil), server: server)
        XCTAssertTrue(cRec3.handshake?.peerChainPEM.contains("BEGIN CERTIFICATE") ?? false)
    }

    /// Clusters upgrade in place: a server certificate and CA from a build that wrote
    /// NULL signature parameters still handshake, beside a client certificate signed now.
    func testCertificatesFromAnOlderBuildStillHandshake() throws {
        let old = OlderBuildPKI.self
        let clientKey = try PKI.generateKey()
        let clientCert = try PKI.signCertificate(caCertPEM: old.caCert, caKeyPEM: old.caKey, subjectKeyPEM: clientKey,
                                                 subject: CertificateSubject(commonName: "admin", organizations: ["system:masters"]), usage: .clientAuth)
        let server = try TLSConfiguration.server(certificateChainPEM: old.serverCert, keyPEM: old.serverKey, clientCAPEM: old.caCert)
        let client = try TLSConfiguration.client(trustedCAPEM: old.caCert, certificatePEM: clientCert, keyPEM: clientKey)
        let (_, cRec, _, sRec) = try connect(client: client, server: server, expected: "127.0.0.1")
        XCTAssertNotNil(cRec.handshake, "the client verifies the older server certificate")
        XCTAssertEqual(sRec.handshake?.peer, CertificateSubject(commonName: "admin", organizations: ["system:masters"]))
    }
}
