import XCTest
import Synchronization
import NIOCore
import NIOPosix
import EdgeAPI
import EdgeStore
@testable import EdgeAPIServer

/// Connection clocks and the cap, on a plain-HTTP server with short timeouts
/// (the defaults are upstream's 32 s and 90 s).
final class ConnectionLimitsTests: XCTestCase {
    func server(_ limits: ConnectionLimits) async throws -> (Channel, Int) {
        let h = try await APITestHarness()
        let ch = try await HTTPServer.start(host: "127.0.0.1", port: 0, group: MultiThreadedEventLoopGroup.singleton,
                                           service: h.service, limits: limits)
        return (ch, ch.localAddress!.port!)
    }

    func testDefaultsAreUpstreamsApiserverValues() {
        let d = ConnectionLimits()
        XCTAssertEqual(d.readHeaderTimeout, .seconds(32))
        XCTAssertEqual(d.idleTimeout, .seconds(90))
        XCTAssertEqual(d.maxConnections, 1024)
    }

    func testAnIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let (server, port) = try await server(ConnectionLimits(readHeaderTimeout: .seconds(30), idleTimeout: .milliseconds(300)))
        defer { server.close(promise: nil) }
        let c = try await RawConnection(port: port)
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let closedIn = try await c.waitClosed(within: .seconds(10))
        XCTAssertTrue(c.text.hasPrefix("HTTP/1.1 200"), c.text)
        XCTAssertTrue(c.text.contains("keep-alive"), "answered and kept alive first: \(c.text)")
        XCTAssertNotNil(closedIn, "then closed once idle")
    }

    func testASlowRequestHeadIsCut() async throws {
        let (server, port) = try await server(ConnectionLimits(readHeaderTimeout: .milliseconds(300), idleTimeout: .seconds(30)))
        defer { server.close(promise: nil) }
        let c = try await RawConnection(port: port)
        c.send("GET /healthz HTTP/1.1\r\nHo")
        let cut = try await c.waitClosed(within: .seconds(10))
        XCTAssertNotNil(cut, "a head that never ends is cut")
        XCTAssertEqual(c.text, "", "and nothing was served")
        // A connection that sends nothing at all is cut the same way.
        let silent = try await RawConnection(port: port)
        let silentCut = try await silent.waitClosed(within: .seconds(10))
        XCTAssertNotNil(silentCut)
    }

    func testConnectionsPastTheCapAreToldWhyAndOthersKeepBeingServed() async throws {
        let (server, port) = try await server(ConnectionLimits(readHeaderTimeout: .seconds(30), idleTimeout: .seconds(30), maxConnections: 2))
        defer { server.close(promise: nil) }
        let a = try await RawConnection(port: port), b = try await RawConnection(port: port)
        try await Task.sleep(for: .milliseconds(100))
        let refused = try await RawConnection(port: port)
        refused.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let refusedClosed = try await refused.waitClosed(within: .seconds(10))
        XCTAssertNotNil(refusedClosed)
        XCTAssertTrue(refused.text.hasPrefix("HTTP/1.1 429"), refused.text)
        XCTAssertTrue(refused.text.contains("Retry-After: 1"), refused.text)
        XCTAssertTrue(refused.text.contains("\"reason\":\"TooManyRequests\""), refused.text)
        for c in [a, b] {
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try await c.waitFor("ok")
            XCTAssertTrue(c.text.hasPrefix("HTTP/1.1 200"), c.text)
        }
        a.close()
        _ = try await a.waitClosed(within: .seconds(10))
        try await Task.sleep(for: .milliseconds(100))
        // A place is free again.
        let later = try await RawConnection(port: port)
        later.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        try await later.waitFor("ok")
        XCTAssertTrue(later.text.hasPrefix("HTTP/1.1 200"), later.text)
    }
}

/// A client connection that records what the server sends and when it closes.
final class RawConnection: @unchecked Sendable {
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex<[UInt8]>([])
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var b = unwrapInboundIn(data)
            let got = b.readBytes(length: b.readableBytes) ?? []
            bytes.withLock { $0 += got }
        }
    }

    let channel: Channel
    let collector = Collector()

    init(port: Int) async throws {
        let collector = self.collector
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(collector) } }
            .connect(host: "127.0.0.1", port: port).get()
    }

    var text: String { collector.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    func send(_ s: String) { channel.writeAndFlush(channel.allocator.buffer(string: s), promise: nil) }

    func close() { channel.close(promise: nil) }

    /// How long the server took to close, or nil if it had not within `limit`.
    func waitClosed(within limit: Duration) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if !channel.isActive { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func waitFor(_ s: String, within limit: Duration = .seconds(10)) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if text.contains(s) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
