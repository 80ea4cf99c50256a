/// A pull-based byte source: blobs, inflated layers and tar contents are all
/// processed through one of these so nothing needs a whole blob in memory.
protocol ByteStream: AnyObject {
    /// Fills up to `buffer.count` bytes; 0 means end of stream.
    func read(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteStream {
    /// Reads until the stream ends, feeding every chunk to `body`.
    func drain(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try read(chunk)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
    }

    func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        try drain { out.append(contentsOf: $0) }
        return out
    }
}
