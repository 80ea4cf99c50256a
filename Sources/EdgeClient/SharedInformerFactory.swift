import EdgeAPI
import Synchronization

/// One informer per resource (and per namespace and selector) for every
/// component of a process: the scheduler and all controllers share a single
/// list+watch and cache per kind, however many of them read it, and kinds no
/// component asked for are not cached at all.
///
/// A component that reads only metadata asks for `metadataInformer`: unless
/// another component wants whole objects of that kind too, the cache then
/// holds PartialObjectMetadata, as upstream's garbage collector does. Asking
/// for whole objects of a kind that so far had a metadata-only informer turns
/// it into a full one (restarting it if it already runs); readers keep the
/// same Informer value either way. A component may also cache only the objects
/// it acts on (`keeping:`); the cache then holds what any of its readers keeps.
public final class SharedInformerFactory: Sendable {
    public let client: APIClient
    private let informers = Mutex<[String: Informer]>([:])
    private let started = Mutex<[String: Task<Void, Never>]>([:])

    public init(client: APIClient) { self.client = client }

    static func key(_ r: ResourceInfo, namespace: String?, labelSelector: String?, fieldSelector: String?) -> String {
        [r.keyPrefix, namespace ?? "", labelSelector ?? "", fieldSelector ?? ""].joined(separator: "|")
    }

    /// The informer for whole objects of `r`, optionally limited to a namespace or selectors.
    /// With `keeping:` the cache holds only the objects `filter` keeps (unless another
    /// reader wants more of `r`); handlers still hear of every object. A filter costs no
    /// second watch, where a field selector would be a list+watch of its own.
    public func informer(_ r: ResourceInfo, namespace: String? = nil, labelSelector: String? = nil,
                         fieldSelector: String? = nil, keeping filter: InformerFilter? = nil) -> Informer {
        let k = Self.key(r, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector)
        let (informer, upgraded) = informers.withLock { m -> (Informer, Bool) in
            if let i = m[k] { return (i, i.widen(to: .full, keeping: filter)) }
            let i = Informer(client: client, resource: r, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                             keeping: filter)
            m[k] = i
            return (i, false)
        }
        if upgraded { restartIfRunning(k, informer) }
        return informer
    }

    /// An informer that holds at least the metadata of the objects of `r` that
    /// `filter` keeps (nil: all): metadata only, and only those, unless another
    /// component wants more of `r`. Its handlers hear of every object either way.
    public func metadataInformer(_ r: ResourceInfo, keeping filter: InformerFilter? = nil) -> Informer {
        let k = Self.key(r, namespace: nil, labelSelector: nil, fieldSelector: nil)
        let (informer, widened) = informers.withLock { m -> (Informer, Bool) in
            if let i = m[k] { return (i, i.widen(to: .metadata, keeping: filter)) }
            let i = Informer(client: client, resource: r, mode: .metadata, keeping: filter)
            m[k] = i
            return (i, false)
        }
        if widened { restartIfRunning(k, informer) }
        return informer
    }

    /// How many informers (caches) this factory holds.
    public var count: Int { informers.withLock { $0.count } }

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

    /// Stops and forgets every informer of a resource no longer served (a
    /// deleted custom resource), whatever its namespace, selectors or mode.
    public func remove(_ r: ResourceInfo) {
        let prefix = r.keyPrefix + "|"
        let gone = informers.withLock { m -> [String] in
            let keys = m.keys.filter { $0.hasPrefix(prefix) }
            for k in keys { m.removeValue(forKey: k) }
            return keys
        }
        started.withLock { s in
            for k in gone { s.removeValue(forKey: k)?.cancel() }
        }
    }

    private func restartIfRunning(_ k: String, _ i: Informer) {
        started.withLock { s in
            guard let t = s[k] else { return }
            t.cancel()
            s[k] = Task {
                await t.value
                await i.run()
            }
        }
    }

    public func stop() {
        started.withLock { s in
            for t in s.values { t.cancel() }
            s.removeAll()
        }
    }
}
