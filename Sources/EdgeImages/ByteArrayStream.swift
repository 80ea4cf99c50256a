/// An in-memory stream (small blobs, tests).
final class ByteArrayStream: ByteStream {
    private let bytes: [UInt8]
    private var offset = 0
    /// Caps each read, so tests can exercise readers on short reads.
    private let maxRead: Int

    init(_ bytes: [UInt8], maxRead: Int = .max) {
        self.bytes = bytes
        self.maxRead = maxRead
    }

    func read(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset, maxRead)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
