/// Passes bytes through while hashing and counting them, so a digest is known
/// the moment the consumer reaches the end (a layer's diff id while it unpacks).
final class HashingStream: ByteStream {
    private let source: ByteStream
    private(set) var hasher = SHA256()

    init(_ source: ByteStream) { self.source = source }

    var byteCount: Int64 { hasher.count }

    func read(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try source.read(buffer)
        if n > 0 { hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }

    /// Reads what the consumer left (tar padding after the end marker) so the digest covers the whole stream.
    func finish() throws -> String {
        try drain { _ in }
        return hasher.finalizeDigest()
    }
}
