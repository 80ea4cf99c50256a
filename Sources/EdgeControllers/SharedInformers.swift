import EdgeAPI
import EdgeClient
import Synchronization

/// One informer per resource for all controllers in a process: a single
/// list+watch and cache per kind, however many controllers read it.
public final class SharedInformers: Sendable {
    public let client: APIClient
    private let informers = Mutex<[String: Informer]>([:])
    private let started = Mutex<[String: Task<Void, Never>]>([:])

    public init(client: APIClient) { self.client = client }

    public func informer(_ r: ResourceInfo) -> Informer {
        informers.withLock { m in
            if let i = m[r.keyPrefix] { return i }
            let i = Informer(client: client, resource: r)
            m[r.keyPrefix] = i
            return i
        }
    }

    /// Starts every informer created so far (idempotent) and waits for their first list.
    public func startAndSync() async {
        let all = informers.withLock { Array($0) }
        for (k, i) in all {
            started.withLock { s in
                if s[k] == nil { s[k] = Task { await i.run() } }
            }
        }
        for (_, i) in all { await i.waitForSync() }
    }

    /// Stops and forgets the informer of a resource no longer served (a deleted custom resource).
    public func remove(_ r: ResourceInfo) {
        _ = informers.withLock { $0.removeValue(forKey: r.keyPrefix) }
        started.withLock { s in s.removeValue(forKey: r.keyPrefix)?.cancel() }
    }

    public func stop() {
        started.withLock { s in
            for t in s.values { t.cancel() }
            s.removeAll()
        }
    }
}
