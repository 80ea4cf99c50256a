#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Hands freed heap memory back to the system after a burst of connections
/// has closed. glibc keeps freed chunks in its arenas (one per thread that
/// allocated), so RSS stays at the burst's peak; malloc_trim returns the free
/// pages. It runs off the event loops, at most once every few seconds; a
/// request made sooner is not dropped but deferred, so the memory freed by
/// the end of a burst is returned too.
public final class MemoryReturner: Sendable {
    static let shared = MemoryReturner()
    /// Bursts smaller than this are not worth a trim.
    static let worthwhileConnections = 128
    static let minimumInterval: Duration = .seconds(2)

    private struct State {
        var last: ContinuousClock.Instant?
        var pending = false
    }

    private let state = Mutex(State())

    func returnFreedMemory() {
        let now = ContinuousClock.now
        let wait: Duration? = state.withLock { s in
            if s.pending { return nil } // the trim already coming will cover this
            s.pending = true
            guard let last = s.last else { return .zero }
            return max(.zero, Self.minimumInterval - (now - last))
        }
        guard let wait else { return }
        Task.detached(priority: .background) { [self] in
            if wait > .zero { try? await Task.sleep(for: wait) }
            state.withLock { s in
                s.pending = false
                s.last = ContinuousClock.now
            }
            Self.trim()
        }
    }

    /// glibc's malloc_trim, looked up at run time: the Glibc module does not
    /// export malloc.h, and another C library simply has none.
    public static func trim() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(sym, to: Trim.self)(0)
        #endif
    }
}
