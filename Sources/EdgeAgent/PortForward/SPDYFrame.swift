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
