import EdgeAPIServer
import EdgeClient
import EdgeStore

/// Returns the memory a burst of work left behind once it is over: SQLite's
/// page caches (up to 2 MB a connection, pages the kernel caches anyway), the
/// watch ring's recent events, the informers' intern tables and the heap pages
/// glibc keeps after frees. It looks every `interval` at how
/// many transactions the store committed: when a busy period has ended (fewer
/// than `quietCommits`, or fewer than half as many as in the interval before),
/// it releases; while quiet it does not repeat itself, and a steady load (a
/// thousand nodes renewing leases) never triggers it. Memory comes back within
/// two intervals of the end of a burst.
struct IdleMemoryReturner: Sendable {
    let backend: SQLiteBackend
    var interval: Duration = .seconds(20)
    var quietCommits = 20

    func run() async {
        var last = backend.stats.withLock { $0.transactions }
        var previousDelta = 0
        var returned = false
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let count = backend.stats.withLock { $0.transactions }
            let delta = count - last
            last = count
            let quiet = delta < quietCommits
            let burstEnded = delta * 2 < previousDelta
            previousDelta = delta
            if (quiet && !returned) || burstEnded {
                await backend.releaseMemory()
                Informer.releaseInternTables()
                MemoryReturner.trim()
                returned = true
            } else if !quiet {
                returned = false
            }
        }
    }
}
