import EdgeAPI
import Synchronization

/// A local cache of one resource kept current by list + watch, calling
/// handlers on every change. Handlers should only enqueue keys; readers get
/// copies (JSON is a value type), so the cache is never mutated by accident.
///
/// What it keeps is kept small: objects are interned as they arrive (equal
/// parts of different objects share storage, see JSONInterner), a
/// metadata-only informer holds PartialObjectMetadata instead of whole
/// objects, and named indexes answer the lookups controllers make (by
/// namespace, owner, node) without scanning the cache.
public final class Informer: Sendable {
    public enum Mode: Sendable, Equatable {
        /// Whole objects.
        case full
        /// PartialObjectMetadata: kind, apiVersion and metadata only.
        case metadata
    }

    public let resource: ResourceInfo
    let client: APIClient
    let namespace: String?
    let labelSelector: String?
    let fieldSelector: String?

    struct State {
        var objects: [String: JSON] = [:]
        var indexes: [IndexTable] = []
        var mode: Mode
        /// Which objects are kept in the cache: those any filter keeps (nil: all).
        var filters: [InformerFilter]?
        var synced = false
        var handlers: [Handler] = []
        var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0

        /// Asking an index that was never added is a programming error.
        func table(_ name: String, _ r: ResourceInfo) -> IndexTable {
            guard let t = indexes.first(where: { $0.index.name == name }) else {
                preconditionFailure("informer for \(r.plural) has no index \(name)")
            }
            return t
        }
    }

    public struct Handler: Sendable {
        public var added: @Sendable (JSON) -> Void
        public var updated: @Sendable (_ old: JSON, _ new: JSON) -> Void
        public var deleted: @Sendable (JSON) -> Void

        public init(added: @escaping @Sendable (JSON) -> Void, updated: @escaping @Sendable (JSON, JSON) -> Void,
                    deleted: @escaping @Sendable (JSON) -> Void) {
            self.added = added
            self.updated = updated
            self.deleted = deleted
        }

        /// One function for every change (the usual "enqueue the key" handler).
        public static func any(_ f: @escaping @Sendable (JSON) -> Void) -> Handler {
            Handler(added: f, updated: { _, n in f(n) }, deleted: f)
        }
    }

    private let state: Mutex<State>
    /// Only the run loop interns (one event at a time); its own lock keeps readers of the cache from waiting on it.
    private let interner = Mutex(JSONInterner())

    /// Every informer of the process, for `releaseInternTables`.
    private static let live = Mutex<[WeakInformer]>([])

    struct WeakInformer: @unchecked Sendable {
        weak var informer: Informer?
    }

    public init(client: APIClient, resource: ResourceInfo, namespace: String? = nil, labelSelector: String? = nil,
                fieldSelector: String? = nil, mode: Mode = .full, keeping filter: InformerFilter? = nil) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.state = Mutex(State(mode: mode, filters: filter.map { [$0] }))
        Self.live.withLock { l in
            l.removeAll { $0.informer == nil }
            l.append(WeakInformer(informer: self))
        }
    }

    /// Empties every informer's intern table, for a quiet moment after a burst (the
    /// server's idle memory returner). A table is bounded by entries, not bytes, and
    /// keeps the parts of objects long gone from the cache (each version of an object
    /// updated thousands of times); cached objects keep what they share, and the
    /// table fills again from the next objects, at the cost of at most one more
    /// copy of each repeated part.
    public static func releaseInternTables() {
        let informers = live.withLock { l -> [Informer] in
            l.removeAll { $0.informer == nil }
            return l.compactMap(\.informer)
        }
        for i in informers { i.interner.withLock { $0.removeAll() } }
    }

    /// Entries in the intern table now.
    var internedCount: Int { interner.withLock { $0.count } }

    /// `namespace/name` (or `name` for cluster-scoped objects): the work queue key.
    public static func key(_ obj: JSON) -> String {
        let name = obj[path: ["metadata", "name"]]?.string ?? ""
        if let ns = obj[path: ["metadata", "namespace"]]?.string, !ns.isEmpty { return ns + "/" + name }
        return name
    }

    public static func split(_ key: String) -> (namespace: String?, name: String) {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        return parts.count == 2 ? (parts[0], parts[1]) : (nil, key)
    }

    public var mode: Mode { state.withLock { $0.mode } }

    /// Makes the cache hold at least what another reader needs: whole objects
    /// rather than metadata, and the objects `filter` keeps besides those kept
    /// already (nil: all). True if the cache must be listed again to hold them;
    /// a running informer does so when restarted (SharedInformerFactory does that).
    @discardableResult
    func widen(to mode: Mode, keeping filter: InformerFilter?) -> Bool {
        state.withLock { s in
            var changed = false
            if mode == .full && s.mode == .metadata {
                s.mode = .full
                changed = true
            }
            if let current = s.filters {
                if let filter {
                    if !current.contains(where: { $0.name == filter.name }) {
                        s.filters = current + [filter]
                        changed = true
                    }
                } else {
                    s.filters = nil
                    changed = true
                }
            }
            return changed
        }
    }

    /// Registers a handler. Once the cache has synced, the handler is first told
    /// of every object already cached (as additions), as client-go does, so a
    /// component that joins a running informer misses nothing.
    public func addHandler(_ h: Handler) {
        let existing = state.withLock { s -> [JSON] in
            s.handlers.append(h)
            return s.synced ? Array(s.objects.values) : []
        }
        for o in existing { h.added(o) }
    }

    /// Adds a named index (idempotent by name) and files the cached objects under it.
    public func addIndex(_ index: InformerIndex) {
        state.withLock { s in
            guard !s.indexes.contains(where: { $0.index.name == index.name }) else { return }
            var table = IndexTable(index)
            for (k, o) in s.objects { table.insert(k, o) }
            s.indexes.append(table)
        }
    }

    public func get(_ key: String) -> JSON? { state.withLock { $0.objects[key] } }

    public func list() -> [JSON] { state.withLock { Array($0.objects.values) } }

    public func list(where predicate: (JSON) -> Bool) -> [JSON] { state.withLock { $0.objects.values.filter(predicate) } }

    /// Objects filed under `value` in the named index (added with `addIndex`), in no
    /// particular order. Asking an index that was never added is a programming error.
    public func byIndex(_ name: String, _ value: String) -> [JSON] {
        state.withLock { s in
            (s.table(name, resource).keysByValue[value] ?? []).compactMap { s.objects[$0] }
        }
    }

    /// `byIndex` after adding the index if needed.
    public func byIndex(_ index: InformerIndex, _ value: String) -> [JSON] {
        addIndex(index)
        return byIndex(index.name, value)
    }

    /// Keys of the objects filed under `value` in the named index.
    public func indexedKeys(_ name: String, _ value: String) -> [String] {
        state.withLock { s in
            Array(s.table(name, resource).keysByValue[value] ?? [])
        }
    }

    public var count: Int { state.withLock { $0.objects.count } }

    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Returns once the first list is in, or when the calling task is cancelled (a component that stops
    /// before the API answered, e.g. a leader that lost its lease while the datastore was down).
    public func waitForSync() async {
        let id = state.withLock { s -> Int in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let done = state.withLock { s -> Bool in
                    if s.synced || Task.isCancelled { return true }
                    s.syncWaiters[id] = c
                    return false
                }
                if done { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.syncWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Lists, then watches; relists after a watch ends or fails (410 included).
    public func run() async {
        var backoff: Duration = .milliseconds(200)
        while !Task.isCancelled {
            do {
                let metadataOnly = mode == .metadata
                let list = try await client.list(resource, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector,
                                                 metadataOnly: metadataOnly)
                replace(list.items)
                var rv = list.resourceVersion
                backoff = .milliseconds(200)
                while !Task.isCancelled {
                    let events = try await client.watch(resource, namespace: namespace, resourceVersion: rv,
                                                        labelSelector: labelSelector, fieldSelector: fieldSelector,
                                                        timeoutSeconds: 300 + Int.random(in: 0..<300), metadataOnly: metadataOnly)
                    for try await ev in events {
                        if let v = ev.object[path: ["metadata", "resourceVersion"]]?.string { rv = v }
                        apply(ev)
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(10))
            }
        }
    }

    static func keeps(_ filters: [InformerFilter]?, _ o: JSON) -> Bool {
        guard let filters else { return true }
        return filters.contains { $0.keeps(o) }
    }

    func intern(_ obj: JSON) -> JSON { interner.withLock { $0.intern(obj) } }

    func replace(_ items: [JSON]) {
        let filters = state.withLock { $0.filters }
        var fresh: [String: JSON] = [:]
        var dropped: [JSON] = []
        fresh.reserveCapacity(items.count)
        for o in items {
            if Self.keeps(filters, o) { fresh[Self.key(o)] = intern(o) } else { dropped.append(o) }
        }
        let (handlers, old, waiters) = state.withLock { s -> ([Handler], [String: JSON], [Int: CheckedContinuation<Void, Never>]) in
            let old = s.objects
            s.objects = fresh
            for i in s.indexes.indices {
                var table = IndexTable(s.indexes[i].index)
                for (k, o) in fresh { table.insert(k, o) }
                s.indexes[i] = table
            }
            s.synced = true
            defer { s.syncWaiters = [:] }
            return (s.handlers, old, s.syncWaiters)
        }
        for (k, o) in fresh {
            if let prev = old[k] {
                if !JSON.identical(prev, o) { handlers.forEach { $0.updated(prev, o) } }
            } else {
                handlers.forEach { $0.added(o) }
            }
        }
        // Objects not kept are still announced: handlers decide what matters to them.
        var stillThere = Set<String>()
        for o in dropped {
            let k = Self.key(o)
            stillThere.insert(k)
            if let prev = old[k] { handlers.forEach { $0.updated(prev, o) } } else { handlers.forEach { $0.added(o) } }
        }
        for (k, o) in old where fresh[k] == nil && !stillThere.contains(k) { handlers.forEach { $0.deleted(o) } }
        waiters.values.forEach { $0.resume() }
    }

    func apply(_ ev: APIClient.Event) {
        let key = Self.key(ev.object)
        switch ev.type {
        case "ADDED", "MODIFIED":
            let kept = Self.keeps(state.withLock { $0.filters }, ev.object)
            let obj = kept ? intern(ev.object) : ev.object
            let (handlers, old) = state.withLock { s -> ([Handler], JSON?) in
                let old = kept ? s.objects.updateValue(obj, forKey: key) : s.objects.removeValue(forKey: key)
                for i in s.indexes.indices {
                    if let old { s.indexes[i].remove(key, old) }
                    if kept { s.indexes[i].insert(key, obj) }
                }
                return (s.handlers, old)
            }
            if let old { handlers.forEach { $0.updated(old, obj) } } else { handlers.forEach { $0.added(obj) } }
        case "DELETED":
            let handlers = state.withLock { s -> [Handler] in
                if let old = s.objects.removeValue(forKey: key) {
                    for i in s.indexes.indices { s.indexes[i].remove(key, old) }
                }
                return s.handlers
            }
            handlers.forEach { $0.deleted(ev.object) }
        default:
            break // BOOKMARK: only moves the resourceVersion
        }
    }
}
