import CZlib

/// SPDY/3 header blocks: name/value pairs compressed with zlib and the preset
/// dictionary, one compression context per direction for the whole session
/// (each block ends with a sync flush). Inflated blocks are capped in size.
final class SPDYHeaderCodec {
    private let inflater = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private let deflater = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var inflaterReady = false
    private var deflaterReady = false
    static let maxBlock = 64 * 1024

    init() throws(SPDYProtocolError) {
        inflater.initialize(to: z_stream())
        deflater.initialize(to: z_stream())
        guard inflateInit_(inflater, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SPDYProtocolError(description: "zlib inflate init failed")
        }
        inflaterReady = true
        guard deflateInit_(deflater, Z_DEFAULT_COMPRESSION, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SPDYProtocolError(description: "zlib deflate init failed")
        }
        deflaterReady = true
        let dict = SPDYDictionary.bytes
        let rc = dict.withUnsafeBufferPointer { deflateSetDictionary(deflater, $0.baseAddress, uInt($0.count)) }
        guard rc == Z_OK else { throw SPDYProtocolError(description: "zlib dictionary refused") }
    }

    deinit {
        if inflaterReady { inflateEnd(inflater) }
        if deflaterReady { deflateEnd(deflater) }
        inflater.deallocate()
        deflater.deallocate()
    }

    func decode(_ block: [UInt8]) throws(SPDYProtocolError) -> [String: String] {
        try Self.parsePairs(try inflate(block))
    }

    func encode(_ headers: [(String, String)]) throws(SPDYProtocolError) -> [UInt8] {
        try deflate(Self.pairs(headers))
    }

    func inflate(_ input: [UInt8]) throws(SPDYProtocolError) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var input = input
        let failure: SPDYProtocolError? = input.withUnsafeMutableBufferPointer { inBuf -> SPDYProtocolError? in
            inflater.pointee.next_in = inBuf.baseAddress
            inflater.pointee.avail_in = uInt(inBuf.count)
            defer { inflater.pointee.next_in = nil; inflater.pointee.avail_in = 0 }
            while true {
                let (rc, produced) = chunk.withUnsafeMutableBufferPointer { outBuf -> (Int32, Int) in
                    inflater.pointee.next_out = outBuf.baseAddress
                    inflater.pointee.avail_out = uInt(outBuf.count)
                    var rc = CZlib.inflate(inflater, Z_SYNC_FLUSH)
                    if rc == Z_NEED_DICT {
                        rc = SPDYDictionary.bytes.withUnsafeBufferPointer { inflateSetDictionary(inflater, $0.baseAddress, uInt($0.count)) }
                        if rc == Z_OK { rc = CZlib.inflate(inflater, Z_SYNC_FLUSH) }
                    }
                    return (rc, outBuf.count - Int(inflater.pointee.avail_out))
                }
                out += chunk[0..<produced]
                if out.count > Self.maxBlock { return SPDYProtocolError(description: "header block inflates past \(Self.maxBlock) bytes") }
                if rc == Z_BUF_ERROR || (rc == Z_OK && inflater.pointee.avail_in == 0 && produced < chunk.count) { return nil }
                if rc != Z_OK { return SPDYProtocolError(description: "header block does not inflate (zlib \(rc))") }
            }
        }
        if let failure { throw failure }
        return out
    }

    func deflate(_ input: [UInt8]) throws(SPDYProtocolError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var input = input
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuf in
            deflater.pointee.next_in = inBuf.baseAddress
            deflater.pointee.avail_in = uInt(inBuf.count)
            defer { deflater.pointee.next_in = nil }
            repeat {
                let (rc, produced) = chunk.withUnsafeMutableBufferPointer { outBuf -> (Int32, Int) in
                    deflater.pointee.next_out = outBuf.baseAddress
                    deflater.pointee.avail_out = uInt(outBuf.count)
                    let rc = CZlib.deflate(deflater, Z_SYNC_FLUSH)
                    return (rc, outBuf.count - Int(deflater.pointee.avail_out))
                }
                guard rc == Z_OK || rc == Z_BUF_ERROR else { return false }
                out += chunk[0..<produced]
            } while deflater.pointee.avail_out == 0
            return true
        }
        guard ok else { throw SPDYProtocolError(description: "header block does not deflate") }
        return out
    }

    /// The name/value block: a count, then length-prefixed names and values (several values NUL-joined).
    static func pairs(_ headers: [(String, String)]) -> [UInt8] {
        func u32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        var out = u32(headers.count)
        for (n, v) in headers {
            let nb = Array(n.lowercased().utf8), vb = Array(v.utf8)
            out += u32(nb.count) + nb + u32(vb.count) + vb
        }
        return out
    }

    static func parsePairs(_ b: [UInt8]) throws(SPDYProtocolError) -> [String: String] {
        var at = 0
        func u32() throws(SPDYProtocolError) -> Int {
            guard b.count - at >= 4 else { throw SPDYProtocolError(description: "header block ends inside a length") }
            defer { at += 4 }
            return Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
        }
        func take(_ n: Int) throws(SPDYProtocolError) -> String {
            guard n >= 0, b.count - at >= n else { throw SPDYProtocolError(description: "header block ends inside a value") }
            defer { at += n }
            return String(decoding: b[at..<(at + n)], as: UTF8.self)
        }
        let count = try u32()
        guard count <= 256 else { throw SPDYProtocolError(description: "too many headers (\(count))") }
        var out: [String: String] = [:]
        for _ in 0..<count {
            let name = try take(try u32()).lowercased()
            let value = try take(try u32())
            // Several values are NUL-joined; the first is the one port-forward headers carry.
            out[name] = String(value.split(separator: "\u{0}", omittingEmptySubsequences: false).first ?? "")
        }
        return out
    }
}
