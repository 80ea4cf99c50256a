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
