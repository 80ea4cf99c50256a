#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Hands freed heap memory back to the system after a burst of connections
/// has closed. glibc keeps freed chunks in its arenas (one per thread that
/// allocated), so RSS stays at the burst's peak; malloc_trim returns the free
/// pages. It runs off the event loops, at most once every few seconds.
final class MemoryReturner: Sendable {
    static let shared = MemoryReturner()
    /// Bursts smaller than this are not worth a trim.
    static let worthwhileConnections = 128
    static let minimumInterval: Duration = .seconds(2)

    private let last = Mutex<ContinuousClock.Instant?>(nil)

    func returnFreedMemory() {
        let now = ContinuousClock.now
        let due = last.withLock { l -> Bool in
            if let l, now - l < Self.minimumInterval { return false }
            l = now
            return true
        }
        guard due else { return }
        Task.detached(priority: .background) { Self.trim() }
    }

    /// glibc's malloc_trim, looked up at run time: the Glibc module does not
    /// export malloc.h, and another C library simply has none.
    static func trim() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(sym, to: Trim.self)(0)
        #endif
    }
}
