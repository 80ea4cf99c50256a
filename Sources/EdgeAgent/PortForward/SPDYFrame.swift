/// SPDY/3 frames as kubectl's port-forward speaks them (moby/spdystream):
/// control frames with a version, type, flags and 24-bit length; data frames
/// with a stream id. Header blocks stay compressed here (SPDYHeaderCodec).
enum SPDYFrame: Equatable {
    case data(stream: UInt32, fin: Bool, payload: [UInt8])
    case synStream(stream: UInt32, flags: UInt8, headerBlock: [UInt8])
    case synReply(stream: UInt32, flags: UInt8, headerBlock: [UInt8])
    case rstStream(stream: UInt32, status: UInt32)
    case settings
    case ping(id: UInt32)
    case goAway(lastGood: UInt32, status: UInt32)
    case headers(stream: UInt32, flags: UInt8, headerBlock: [UInt8])
    case windowUpdate(stream: UInt32, delta: UInt32)
    /// A control type this side does not use (ignored, as the spec asks).
    case other(type: UInt16)

    static let version: UInt16 = 3
    static let flagFin: UInt8 = 0x01
    enum Status { static let protocolError: UInt32 = 1, refusedStream: UInt32 = 3, cancel: UInt32 = 5, internalError: UInt32 = 6 }

    /// The frame on the wire.
    var encoded: [UInt8] {
        func u32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func control(_ type: UInt16, _ flags: UInt8, _ body: [UInt8]) -> [UInt8] {
            [0x80 | UInt8(Self.version >> 8), UInt8(Self.version & 0xFF), UInt8(type >> 8), UInt8(type & 0xFF), flags,
             UInt8(body.count >> 16 & 0xFF), UInt8(body.count >> 8 & 0xFF), UInt8(body.count & 0xFF)] + body
        }
        switch self {
        case .data(let s, let fin, let p):
            return u32(s & 0x7FFF_FFFF) + [fin ? Self.flagFin : 0, UInt8(p.count >> 16 & 0xFF), UInt8(p.count >> 8 & 0xFF), UInt8(p.count & 0xFF)] + p
        case .synStream(let s, let f, let h): return control(1, f, u32(s) + u32(0) + [0, 0] + h)
        case .synReply(let s, let f, let h): return control(2, f, u32(s) + h)
        case .rstStream(let s, let st): return control(3, 0, u32(s) + u32(st))
        case .settings: return control(4, 0, u32(0))
        case .ping(let id): return control(6, 0, u32(id))
        case .goAway(let last, let st): return control(7, 0, u32(last) + u32(st))
        case .headers(let s, let f, let h): return control(8, f, u32(s) + h)
        case .windowUpdate(let s, let d): return control(9, 0, u32(s) + u32(d))
        case .other(let t): return control(t, 0, [])
        }
    }
}

struct SPDYProtocolError: Error, Equatable, CustomStringConvertible {
    var description: String
}

/// Incremental reader: bytes in, whole frames out; lengths checked before use.
struct SPDYParser {
    private var buffer: [UInt8] = []
    private var start = 0
    /// Largest frame body accepted (the protocol allows 16 MiB; kubectl sends 32 KiB).
    let maxLength: Int

    init(maxLength: Int = 1 << 20) { self.maxLength = maxLength }

    mutating func feed(_ bytes: some Sequence<UInt8>) throws(SPDYProtocolError) -> [SPDYFrame] {
        buffer += bytes
        var frames: [SPDYFrame] = []
        while buffer.count - start >= 8 {
            let b = buffer[start...]
            let s = start
            let length = Int(b[s + 5]) << 16 | Int(b[s + 6]) << 8 | Int(b[s + 7])
            guard length <= maxLength else { throw SPDYProtocolError(description: "frame of \(length) bytes is over the \(maxLength) limit") }
            guard buffer.count - start >= 8 + length else { break }
            let body = Array(buffer[(s + 8)..<(s + 8 + length)])
            let flags = b[s + 4]
            func u32(_ at: Int) -> UInt32 { UInt32(body[at]) << 24 | UInt32(body[at + 1]) << 16 | UInt32(body[at + 2]) << 8 | UInt32(body[at + 3]) }
            if b[s] & 0x80 == 0 {
                let stream = (UInt32(b[s]) << 24 | UInt32(b[s + 1]) << 16 | UInt32(b[s + 2]) << 8 | UInt32(b[s + 3])) & 0x7FFF_FFFF
                frames.append(.data(stream: stream, fin: flags & SPDYFrame.flagFin != 0, payload: body))
            } else {
                let version = UInt16(b[s] & 0x7F) << 8 | UInt16(b[s + 1])
                guard version == SPDYFrame.version else { throw SPDYProtocolError(description: "SPDY version \(version), not 3") }
                let type = UInt16(b[s + 2]) << 8 | UInt16(b[s + 3])
                func need(_ n: Int) throws(SPDYProtocolError) {
                    if body.count < n { throw SPDYProtocolError(description: "control frame type \(type) too short") }
                }
                switch type {
                case 1:
                    try need(10)
                    frames.append(.synStream(stream: u32(0) & 0x7FFF_FFFF, flags: flags, headerBlock: Array(body[10...])))
                case 2:
                    try need(4)
                    frames.append(.synReply(stream: u32(0) & 0x7FFF_FFFF, flags: flags, headerBlock: Array(body[4...])))
                case 3:
                    try need(8)
                    frames.append(.rstStream(stream: u32(0) & 0x7FFF_FFFF, status: u32(4)))
                case 4: frames.append(.settings)
                case 6:
                    try need(4)
                    frames.append(.ping(id: u32(0)))
                case 7:
                    try need(8)
                    frames.append(.goAway(lastGood: u32(0) & 0x7FFF_FFFF, status: u32(4)))
                case 8:
                    try need(4)
                    frames.append(.headers(stream: u32(0) & 0x7FFF_FFFF, flags: flags, headerBlock: Array(body[4...])))
                case 9:
                    try need(8)
                    frames.append(.windowUpdate(stream: u32(0) & 0x7FFF_FFFF, delta: u32(4) & 0x7FFF_FFFF))
                default: frames.append(.other(type: type))
                }
            }
            start += 8 + length
        }
        if start > 0 && start == buffer.count { buffer = []; start = 0 } else if start > 65536 { buffer.removeFirst(start); start = 0 }
        return frames
    }
}
