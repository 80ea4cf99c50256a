import XCTest
@testable import EdgeAgent

final class WebSocketParserTests: XCTestCase {
    let key: [UInt8] = [0x12, 0x34, 0x56, 0x78]

    func testMaskedFramesRoundTripAtEveryLengthForm() throws {
        for size in [0, 5, 125, 126, 300, 65535, 65536, 70000] {
            let payload = (0..<size).map { UInt8($0 & 0xFF) }
            var p = WebSocketParser(requireMasked: true)
            let wire = WebSocketFrame(opcode: .binary, payload: payload).encoded(maskingKey: key)
            if size > 0 { XCTAssertNotEqual(Array(wire.suffix(size)), payload, "masked on the wire") }
            XCTAssertEqual(try p.feed(wire), [.message(.binary, payload)], "size \(size)")
        }
    }

    func testBytesArrivingOneByOne() throws {
        var p = WebSocketParser(requireMasked: true)
        let wire = WebSocketFrame(opcode: .binary, payload: [1, 104, 105]).encoded(maskingKey: key)
        var events: [WebSocketParser.Event] = []
        for b in wire { events += try p.feed([b]) }
        XCTAssertEqual(events, [.message(.binary, [1, 104, 105])])
    }

    func testFragmentsJoinAroundControlFrames() throws {
        var p = WebSocketParser(requireMasked: true)
        var wire = WebSocketFrame(fin: false, opcode: .binary, payload: [0, 97]).encoded(maskingKey: key)
        wire += WebSocketFrame(opcode: .ping, payload: [9]).encoded(maskingKey: key)
        wire += WebSocketFrame(fin: false, opcode: .continuation, payload: [98]).encoded(maskingKey: key)
        wire += WebSocketFrame(opcode: .continuation, payload: [99]).encoded(maskingKey: key)
        wire += WebSocketFrame.close(code: 1000).encoded(maskingKey: key)
        XCTAssertEqual(try p.feed(wire), [.ping([9]), .message(.binary, [0, 97, 98, 99]), .close(code: 1000, reason: [])])
    }

    func testProtocolViolationsAreRefused() {
        func refuses(_ wire: [UInt8], masked: Bool = true, code: UInt16 = 1002, _ what: String) {
            var p = WebSocketParser(requireMasked: masked, maxMessageBytes: 1000)
            XCTAssertThrowsError(try p.feed(wire), what) { XCTAssertEqual(($0 as? WebSocketParser.ProtocolError)?.closeCode, code, what) }
        }
        refuses(WebSocketFrame(opcode: .binary, payload: [1]).encoded(), "unmasked client frame")
        refuses(WebSocketFrame(opcode: .ping, payload: Array(repeating: 0, count: 126)).encoded(maskingKey: key), "control frame over 125 bytes")
        refuses(WebSocketFrame(fin: false, opcode: .ping, payload: []).encoded(maskingKey: key), "fragmented control frame")
        refuses(WebSocketFrame(opcode: .continuation, payload: [1]).encoded(maskingKey: key), "continuation without a start")
        refuses(WebSocketFrame(fin: false, opcode: .binary, payload: [1]).encoded(maskingKey: key) +
                WebSocketFrame(opcode: .binary, payload: [2]).encoded(maskingKey: key), "new message inside a fragmented one")
        refuses([0xC2, 0x80] + key, "reserved bit set")
        refuses(WebSocketFrame(opcode: .binary, payload: Array(repeating: 0, count: 2000)).encoded(maskingKey: key), code: 1009, "too big")
    }

    func testServerFramesAreUnmaskedAndAcceptKeyMatchesTheRFC() throws {
        XCTAssertEqual(WebSocketFrame(opcode: .binary, payload: [3, 123]).encoded(), [0x82, 2, 3, 123])
        XCTAssertEqual(WebSocketHandshake.acceptValue(key: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        XCTAssertEqual(WebSocketHandshake.negotiate(offered: ["v4.channel.k8s.io, v5.channel.k8s.io"]), "v5.channel.k8s.io")
        XCTAssertEqual(WebSocketHandshake.negotiate(offered: ["v4.channel.k8s.io"]), "v4.channel.k8s.io")
        XCTAssertNil(WebSocketHandshake.negotiate(offered: ["base64.channel.k8s.io"]))
        let missing = WebSocketHandshake.response(headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")])
        guard case .failure(let e) = missing else { return XCTFail("accepted without a key") }
        XCTAssertEqual(e.status, 400)
    }
}
