/// Incremental WebSocket reader: bytes in, whole messages and control frames
/// out. Reassembles fragmented messages (control frames may arrive between
/// fragments), unmasks, and enforces what RFC 6455 requires of each side:
/// a server refuses unmasked frames. No extensions are negotiated, so RSV
/// bits must be zero.
struct WebSocketParser {
    enum Event: Equatable {
        case message(WebSocketFrame.Opcode, [UInt8])
        case ping([UInt8])
        case pong([UInt8])
        case close(code: UInt16?, reason: [UInt8])
    }

    struct ProtocolError: Error, Equatable, CustomStringConvertible {
        /// Close code to answer with (1002 protocol error, 1009 too big).
        var closeCode: UInt16
        var description: String
    }

    /// true on the server side: every client frame must be masked.
    let requireMasked: Bool
    let maxMessageBytes: Int
    private var buffer: [UInt8] = []
    private var fragments: [UInt8] = []
    private var fragmentOpcode: WebSocketFrame.Opcode?

    init(requireMasked: Bool, maxMessageBytes: Int = 16 << 20) {
        self.requireMasked = requireMasked
        self.maxMessageBytes = maxMessageBytes
    }

    mutating func feed(_ bytes: [UInt8]) throws(ProtocolError) -> [Event] {
        buffer += bytes
        var events: [Event] = []
        var consumed = 0
        defer { buffer.removeFirst(consumed) }
        while let (frame, length) = try Self.frame(in: buffer[consumed...], requireMasked: requireMasked, max: maxMessageBytes) {
            consumed += length
            if let e = try accept(frame) { events.append(e) }
        }
        return events
    }

    private mutating func accept(_ f: WebSocketFrame) throws(ProtocolError) -> Event? {
        switch f.opcode {
        case .ping: return .ping(f.payload)
        case .pong: return .pong(f.payload)
        case .close:
            guard f.payload.count != 1 else { throw ProtocolError(closeCode: 1002, description: "close frame with a 1-byte payload") }
            let code = f.payload.count >= 2 ? UInt16(f.payload[0]) << 8 | UInt16(f.payload[1]) : nil
            return .close(code: code, reason: Array(f.payload.dropFirst(2)))
        case .text, .binary:
            guard fragmentOpcode == nil else { throw ProtocolError(closeCode: 1002, description: "new message before the fragmented one ended") }
            if f.fin { return .message(f.opcode, f.payload) }
            fragmentOpcode = f.opcode
            fragments = f.payload
            return nil
        case .continuation:
            guard let op = fragmentOpcode else { throw ProtocolError(closeCode: 1002, description: "continuation frame without a message") }
            guard fragments.count + f.payload.count <= maxMessageBytes else {
                throw ProtocolError(closeCode: 1009, description: "message larger than \(maxMessageBytes) bytes")
            }
            fragments += f.payload
            guard f.fin else { return nil }
            fragmentOpcode = nil
            defer { fragments = [] }
            return .message(op, fragments)
        }
    }

    /// The first complete frame in `b` and its length on the wire; nil until all of it arrived.
    static func frame(in b: ArraySlice<UInt8>, requireMasked: Bool, max: Int) throws(ProtocolError) -> (WebSocketFrame, Int)? {
        guard b.count >= 2 else { return nil }
        let s = b.startIndex
        let b0 = b[s], b1 = b[s + 1]
        guard b0 & 0x70 == 0 else { throw ProtocolError(closeCode: 1002, description: "reserved bits set without an extension") }
        guard let opcode = WebSocketFrame.Opcode(rawValue: b0 & 0x0F) else {
            throw ProtocolError(closeCode: 1002, description: "unknown opcode \(b0 & 0x0F)")
        }
        let fin = b0 & 0x80 != 0
        let masked = b1 & 0x80 != 0
        if requireMasked && !masked { throw ProtocolError(closeCode: 1002, description: "client frame not masked") }
        var length = Int(b1 & 0x7F)
        var header = 2
        if length == 126 {
            guard b.count >= 4 else { return nil }
            length = Int(b[s + 2]) << 8 | Int(b[s + 3])
            header = 4
        } else if length == 127 {
            guard b.count >= 10 else { return nil }
            guard b[s + 2] & 0x80 == 0 else { throw ProtocolError(closeCode: 1002, description: "frame length over 2^63") }
            var l: UInt64 = 0
            for i in 2..<10 { l = l << 8 | UInt64(b[s + i]) }
            guard l <= UInt64(max) else { throw ProtocolError(closeCode: 1009, description: "frame larger than \(max) bytes") }
            length = Int(l)
            header = 10
        }
        if opcode.isControl && (!fin || length > 125) {
            throw ProtocolError(closeCode: 1002, description: "control frames must be whole and at most 125 bytes")
        }
        guard length <= max else { throw ProtocolError(closeCode: 1009, description: "frame larger than \(max) bytes") }
        let maskLength = masked ? 4 : 0
        guard b.count >= header + maskLength + length else { return nil }
        var payload = Array(b[(s + header + maskLength)..<(s + header + maskLength + length)])
        if masked {
            let key = Array(b[(s + header)..<(s + header + 4)])
            for i in payload.indices { payload[i] ^= key[i & 3] }
        }
        return (WebSocketFrame(fin: fin, opcode: opcode, payload: payload), header + maskLength + length)
    }
}
