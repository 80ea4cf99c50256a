import CZlib
import NIOCore
import NIOEmbedded
import XCTest
@testable import EdgeAgent

/// kubectl's side of a port-forward session, spoken at the session: SPDY
/// frames (raw or in WebSocket messages), header blocks compressed with a
/// codec of the client's own.
/// A value the dialer closures (Sendable) may change; the tests run on one thread.
final class Box<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}

/// Records the close modes asked of a channel, holding back output-only ones (EmbeddedChannel has no half-close).
final class CloseRecorder: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = NIOAny
    var modes: [CloseMode] = []
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        modes.append(mode)
        if mode == .output { promise?.succeed(()) } else { context.close(mode: mode, promise: promise) }
    }
}

final class PortForwardSessionTests: XCTestCase {
    final class Client {
        let codec = try! SPDYHeaderCodec()
        var parser = SPDYParser()
        var wsParser = WebSocketParser(requireMasked: false)
        let framing: PortForwardSession.Framing
        init(_ framing: PortForwardSession.Framing) { self.framing = framing }

        func bytes(_ f: SPDYFrame) -> ByteBuffer {
            switch framing {
            case .spdy: return ByteBuffer(bytes: f.encoded)
            case .webSocket: return ByteBuffer(bytes: WebSocketFrame(opcode: .binary, payload: f.encoded).encoded(maskingKey: [1, 2, 3, 4]))
            }
        }

        func open(_ id: UInt32, type: String, port: String = "8080", request: String = "0") throws -> ByteBuffer {
            bytes(.synStream(stream: id, flags: 0, headerBlock: try codec.encode([("streamtype", type), ("port", port), ("requestid", request)])))
        }

        /// Everything the session wrote so far, as frames.
        func frames(_ ch: EmbeddedChannel) throws -> [SPDYFrame] {
            var out: [SPDYFrame] = []
            while let b = try ch.readOutbound(as: ByteBuffer.self) {
                let raw = Array(b.readableBytesView)
                switch framing {
                case .spdy: out += try parser.feed(raw)
                case .webSocket:
                    for e in try wsParser.feed(raw) {
                        if case .message(.binary, let p) = e { out += try parser.feed(p) }
                    }
                }
            }
            return out
        }
    }

    func session(_ framing: PortForwardSession.Framing, dial: @escaping PortDialer) throws -> EmbeddedChannel {
        let ch = EmbeddedChannel()
        try ch.pipeline.syncOperations.addHandler(PortForwardSession(framing: framing, podName: "web-0", dial: dial))
        return ch
    }

    func testDictionaryIsTheOneSpdystreamUses() {
        let d = SPDYDictionary.bytes
        XCTAssertEqual(d.count, 1423)
        XCTAssertEqual(d.withUnsafeBufferPointer { UInt32(adler32(1, $0.baseAddress, uInt($0.count))) }, 0xE3C6_A7C2)
    }

    func testHeaderBlocksRoundTripAcrossSeveralBlocksOfOneContext() throws {
        let a = try SPDYHeaderCodec(), b = try SPDYHeaderCodec()
        for i in 0..<5 {
            let block = try a.encode([("streamtype", "data"), ("port", "80\(i)"), ("requestid", "\(i)")])
            XCTAssertEqual(try b.decode(block), ["streamtype": "data", "port": "80\(i)", "requestid": "\(i)"])
        }
        XCTAssertThrowsError(try SPDYHeaderCodec().decode([0x78, 0xBB, 1, 2, 3, 4, 5]), "garbage does not inflate")
        XCTAssertThrowsError(try SPDYHeaderCodec.parsePairs([0, 0, 0, 1, 0, 0, 0, 9, 65]), "lengths past the end")
    }

    func testBytesFlowBothWaysAndThePodsEOFEndsDataThenErrorStream() throws {
        for framing in [PortForwardSession.Framing.spdy, .webSocket] {
            let pod = EmbeddedChannel()
            let dialled = Box<Int?>(nil)
            let ch = try session(framing) { port, loop in
                dialled.value = port
                return loop.makeSucceededFuture(pod)
            }
            let client = Client(framing)
            try ch.writeInbound(client.open(1, type: "error"))
            try ch.writeInbound(client.open(3, type: "data"))
            XCTAssertEqual(dialled.value, 8080)
            try ch.writeInbound(client.bytes(.data(stream: 3, fin: false, payload: Array("GET / HTTP/1.0\r\n\r\n".utf8))))
            XCTAssertEqual(try pod.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }, "GET / HTTP/1.0\r\n\r\n")
            try pod.writeInbound(ByteBuffer(string: "HTTP/1.0 200 OK\r\n\r\nhello"))
            var frames = try client.frames(ch)
            XCTAssertEqual(frames.filter { if case .synReply = $0 { return true } else { return false } }.count, 2, "each stream is answered")
            XCTAssertTrue(frames.contains(.data(stream: 3, fin: false, payload: Array("HTTP/1.0 200 OK\r\n\r\nhello".utf8))), "\(framing)")
            try pod.close().wait()
            frames = try client.frames(ch)
            XCTAssertEqual(frames, [.data(stream: 3, fin: true, payload: []), .data(stream: 1, fin: true, payload: [])], "\(framing)")
        }
    }

    func testDataArrivingBeforeTheDialCompletesIsKeptAndAClientFINHalfClosesThePod() throws {
        let recorder = CloseRecorder()
        let pod = EmbeddedChannel(handler: recorder)
        let loop = EmbeddedEventLoop()
        let promise = loop.makePromise(of: Channel.self)
        let ch = try session(.spdy) { _, _ in promise.futureResult }
        let client = Client(.spdy)
        try ch.writeInbound(client.open(1, type: "error", request: "7"))
        try ch.writeInbound(client.open(3, type: "data", request: "7"))
        try ch.writeInbound(client.bytes(.data(stream: 3, fin: true, payload: Array("early".utf8))))
        promise.succeed(pod)
        loop.run()
        ch.embeddedEventLoop.run()
        XCTAssertEqual(try pod.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }, "early")
        XCTAssertEqual(recorder.modes, [.output], "half-closed only: the pod's answer still comes back")
    }

    func testAFailedDialIsReportedOnTheErrorStream() throws {
        struct Refused: Error, CustomStringConvertible { var description: String { "failed to connect to localhost:9999 inside the pod's network namespace: connection refused" } }
        let ch = try session(.spdy) { _, loop in loop.makeFailedFuture(Refused()) }
        let client = Client(.spdy)
        try ch.writeInbound(client.open(1, type: "error", port: "9999"))
        try ch.writeInbound(client.open(3, type: "data", port: "9999"))
        let frames = try client.frames(ch)
        XCTAssertTrue(frames.contains(.data(stream: 1, fin: true, payload: Array("error forwarding port 9999 to pod web-0: failed to connect to localhost:9999 inside the pod's network namespace: connection refused".utf8))), "\(frames)")
        XCTAssertTrue(frames.contains(.data(stream: 3, fin: true, payload: [])))
    }

    func testSeveralConnectionsShareOneSessionAndPingsAreAnswered() throws {
        let box = Box<[EmbeddedChannel]>([])
        let ch = try session(.spdy) { _, loop in
            let p = EmbeddedChannel()
            box.value.append(p)
            return loop.makeSucceededFuture(p)
        }
        let client = Client(.spdy)
        for r in 0..<3 {
            try ch.writeInbound(client.open(UInt32(4 * r + 1), type: "error", request: "\(r)"))
            try ch.writeInbound(client.open(UInt32(4 * r + 3), type: "data", request: "\(r)"))
        }
        let pods = box.value
        XCTAssertEqual(pods.count, 3)
        try pods[1].writeInbound(ByteBuffer(string: "second"))
        try ch.writeInbound(client.bytes(.ping(id: 5)))
        let frames = try client.frames(ch)
        XCTAssertTrue(frames.contains(.data(stream: 7, fin: false, payload: Array("second".utf8))))
        XCTAssertTrue(frames.contains(.ping(id: 5)))
        try ch.close().wait()
        XCTAssertTrue(pods.allSatisfy { !$0.isActive }, "the session's end closes every pod connection")
    }

    func testBadStreamsAreRefusedWithoutDialling() throws {
        let dials = Box(0)
        let ch = try session(.spdy) { _, loop in dials.value += 1; return loop.makeSucceededFuture(EmbeddedChannel()) }
        let client = Client(.spdy)
        try ch.writeInbound(client.open(1, type: "error", port: "0"))
        try ch.writeInbound(client.open(3, type: "bogus"))
        XCTAssertEqual(dials.value, 0)
        let frames = try client.frames(ch)
        XCTAssertTrue(frames.contains(.data(stream: 1, fin: true, payload: Array("invalid port header \"0\": must be 1-65535".utf8))), "\(frames)")
        XCTAssertTrue(frames.contains(.data(stream: 3, fin: true, payload: Array("invalid stream type \"bogus\"".utf8))))
    }

    func testHandshakeChoosesTheTunnelledWebSocketOrPlainSPDY() throws {
        let ws = try PortForwardHandshake.response(headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Version", "13"),
                                                             ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                                                             ("Sec-WebSocket-Protocol", "SPDY/3.1+portforward.k8s.io")]).get()
        XCTAssertEqual(ws.1, .webSocket)
        XCTAssertTrue(String(decoding: ws.0, as: UTF8.self).contains("Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n"))
        let spdy = try PortForwardHandshake.response(headers: [("Upgrade", "SPDY/3.1"), ("Connection", "Upgrade"),
                                                               ("X-Stream-Protocol-Version", "portforward.k8s.io")]).get()
        XCTAssertEqual(spdy.1, .spdy)
        XCTAssertTrue(String(decoding: spdy.0, as: UTF8.self).hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        XCTAssertThrowsError(try PortForwardHandshake.response(headers: [("Upgrade", "SPDY/3.1"), ("X-Stream-Protocol-Version", "v9")]).get())
        XCTAssertThrowsError(try PortForwardHandshake.response(headers: []).get())
    }
}
