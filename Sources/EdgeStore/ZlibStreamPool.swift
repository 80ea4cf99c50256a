import CZlib
import Synchronization

/// zlib streams kept between uses: starting one allocates and zeroes its state and window (tens of KiB for
/// inflate, more for deflate), which cost more than packing or inflating a 200-byte value. A stream is
/// reset, not freed, when it comes back; at most `capacity` are kept (one per thread reading at once).
final class ZlibStreamPool: Sendable {
    enum Kind { case deflate, inflate }

    struct Stream: @unchecked Sendable {
        let z: UnsafeMutablePointer<z_stream>
    }

    let kind: Kind
    let capacity: Int
    let idle = Mutex<[Stream]>([])

    init(_ kind: Kind, capacity: Int = 8) {
        self.kind = kind
        self.capacity = capacity
    }

    /// Runs `body` with a reset stream of this pool's kind, or returns nil when zlib cannot start one.
    func with<T>(_ body: (UnsafeMutablePointer<z_stream>) throws -> T) rethrows -> T? {
        guard let s = idle.withLock({ $0.popLast() }) ?? make() else { return nil }
        defer { giveBack(s) }
        return try body(s.z)
    }

    private func make() -> Stream? {
        let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        z.initialize(to: z_stream())
        // Raw deflate; a 4 KiB window covers the dictionary and the largest value packed (StoredValueCodec).
        let rc = kind == .deflate ? edge_raw_deflate_init(z, Z_BEST_COMPRESSION) : edge_raw_inflate_init(z)
        guard rc == Z_OK else {
            z.deinitialize(count: 1)
            z.deallocate()
            return nil
        }
        return Stream(z: z)
    }

    private func giveBack(_ s: Stream) {
        let reset = kind == .deflate ? deflateReset(s.z) : inflateReset(s.z)
        let kept = reset == Z_OK && idle.withLock { pool -> Bool in
            guard pool.count < capacity else { return false }
            pool.append(s)
            return true
        }
        if kept { return }
        _ = kind == .deflate ? deflateEnd(s.z) : inflateEnd(s.z)
        s.z.deinitialize(count: 1)
        s.z.deallocate()
    }
}
