#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc controls, looked up at run time: the Glibc module does not
/// export malloc.h, and another C library simply has none (then these do nothing).
enum GlibcMalloc {
    /// glibc's M_ARENA_MAX.
    static let arenaMax: Int32 = -8

    /// Caps malloc's arenas. glibc gives each thread that meets contention an
    /// arena of its own, up to 8 per core, and memory freed in one arena serves
    /// only that arena: after a burst the server kept about 7 MB more free but
    /// unusable heap with its default arenas than with two (measured with the
    /// create benchmark). Two arenas still keep the event loop threads and the
    /// store's writer from queueing on one lock. MALLOC_ARENA_MAX in the
    /// environment wins.
    static func limitArenas(_ n: Int32 = 2) {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(sym, to: Mallopt.self)(arenaMax, n)
        #endif
    }
}
