import CZlib

/// Inflates gzip as it is read (zlib). Concatenated members are one stream, as
/// gzip(1) treats them; bytes after the last member that are not another gzip
/// header are ignored, as Docker does.
final class GzipStream: ByteStream {
    private let source: ByteStream
    private var z = z_stream()
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 65536
    private var sourceEnded = false
    private var finished = false
    /// For messages: which blob this is.
    private let name: String

    init(_ source: ByteStream, name: String) throws {
        self.source = source
        self.name = name
        input = .allocate(capacity: inputCapacity)
        let rc = edge_inflate_init(&z)
        guard rc == Z_OK else {
            input.deallocate()
            throw ImageError("failed to start inflating \(name): zlib error \(rc)")
        }
    }

    deinit {
        inflateEnd(&z)
        input.deallocate()
    }

    static func isGzip(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b
    }

    private func refill() throws {
        guard z.avail_in == 0, !sourceEnded else { return }
        let n = try source.read(UnsafeMutableRawBufferPointer(start: input, count: inputCapacity))
        if n == 0 { sourceEnded = true }
        z.next_in = input
        z.avail_in = UInt32(n)
    }

    func read(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        z.next_out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        // zlib counts in UInt32. Int(UInt32.max) traps where Int is 32 bits (armv7), so the cap
        // is clamped into Int first: there a buffer can never exceed it anyway.
        let wanted = min(buffer.count, Int(clamping: UInt32.max))
        z.avail_out = UInt32(wanted)
        while z.avail_out == UInt32(wanted) {
            try refill()
            if z.avail_in == 0 && sourceEnded {
                throw ImageError("\(name): gzip data ends early (truncated download or file)")
            }
            let rc = inflate(&z, Z_NO_FLUSH)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                let produced = wanted - Int(z.avail_out)
                if try !startNextMember() { finished = true; return produced }
                if produced > 0 { return produced }
            default:
                let detail = z.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                throw ImageError("\(name): corrupt gzip data (\(detail))")
            }
        }
        return wanted - Int(z.avail_out)
    }

    /// After a member ends: true if another gzip member follows.
    private func startNextMember() throws -> Bool {
        try refill()
        if z.avail_in == 0 { return false }
        // A header needs two bytes; a member boundary split across reads is rare but possible.
        if z.avail_in == 1 {
            let first = z.next_in[0]
            let n = try source.read(UnsafeMutableRawBufferPointer(start: input + 1, count: inputCapacity - 1))
            input[0] = first
            z.next_in = input
            z.avail_in = UInt32(1 + n)
            if n == 0 { sourceEnded = true }
        }
        guard z.avail_in >= 2, z.next_in[0] == 0x1f, z.next_in[1] == 0x8b else { return false }
        return inflateReset(&z) == Z_OK
    }
}
