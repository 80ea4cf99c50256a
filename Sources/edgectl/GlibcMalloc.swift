#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc controls, looked up at run time: the Glibc module does not
/// export malloc.h, and another C library simply has none (then these do nothing).
enum GlibcMalloc {
    /// glibc's M_ARENA_MAX.
    static let arenaMax: Int32 = -8
    /// glibc's M_MMAP_THRESHOLD.
    static let mmapThreshold: Int32 = -3

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
        _ = mallopt(arenaMax, n)
        #endif
    }

    /// Fixes the size from which malloc maps blocks of their own. glibc starts at
    /// 128 KB but raises it to the size of every mapped block freed, up to 32 MB:
    /// after one LIST of 5,000 objects (a 7.5 MB body) every later large buffer
    /// came from the heap, where it left holes the heap could not hand back (8 MB
    /// of the 17 MB the server kept after the create benchmark and its LISTs). A
    /// fixed threshold keeps large buffers mapped, so freeing them returns them
    /// at once; the cost is a page fault per touched page of such a buffer (about
    /// 1 % of a LIST's CPU). MALLOC_MMAP_THRESHOLD_ or GLIBC_TUNABLES win.
    static func fixMmapThreshold(_ bytes: Int32 = 256 << 10) {
        #if canImport(Glibc)
        guard getenv("MALLOC_MMAP_THRESHOLD_") == nil, getenv("GLIBC_TUNABLES") == nil else { return }
        _ = mallopt(mmapThreshold, bytes)
        #endif
    }

    private static func mallopt(_ option: Int32, _ value: Int32) -> Int32 {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return 0 }
        return unsafeBitCast(sym, to: Mallopt.self)(option, value)
        #else
        return 0
        #endif
    }
}
