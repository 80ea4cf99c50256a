import EdgeAPI
import Synchronization

/// A local cache of one resource kept current by list + watch, calling
/// handlers on every change. Handlers should only enqueue keys; readers get
/// copies (JSON is a value type), so the cache is never mutated by accident.
public final class Informer: Sendable {
    public let resource: ResourceInfo
    let client: APIClient
    let namespace: String?
    let labelSelector: String?
    let fieldSelector: String?

    struct State {
        var objects: [String: JSON] = [:]
        var synced = false
        var handlers: [Handler] = []
        var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
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

    private let state = Mutex(State())

    public init(client: APIClient, resource: ResourceInfo, namespace: String? = nil, labelSelector: String? = nil,
                fieldSelector: String? = nil) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }

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

    public func addHandler(_ h: Handler) { state.withLock { $0.handlers.append(h) } }

    public func get(_ key: String) -> JSON? { state.withLock { $0.objects[key] } }

    public func list() -> [JSON] { state.withLock { Array($0.objects.values) } }

    public func list(where predicate: (JSON) -> Bool) -> [JSON] { state.withLock { $0.objects.values.filter(predicate) } }

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
                let list = try await client.list(resource, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector)
                replace(list.items)
                var rv = list.resourceVersion
                backoff = .milliseconds(200)
                while !Task.isCancelled {
                    let events = try await client.watch(resource, namespace: namespace, resourceVersion: rv,
                                                        labelSelector: labelSelector, fieldSelector: fieldSelector,
                                                        timeoutSeconds: 300 + Int.random(in: 0..<300))
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

    func replace(_ items: [JSON]) {
        var fresh: [String: JSON] = [:]
        for o in items { fresh[Self.key(o)] = o }
        let (handlers, old, waiters) = state.withLock { s -> ([Handler], [String: JSON], [CheckedContinuation<Void, Never>]) in
            let old = s.objects
            s.objects = fresh
            s.synced = true
            defer { s.syncWaiters = [:] }
            return (s.handlers, old, Array(s.syncWaiters.values))
        }
        for (k, o) in fresh {
            if let prev = old[k] {
                if prev != o { handlers.forEach { $0.updated(prev, o) } }
            } else {
                handlers.forEach { $0.added(o) }
            }
        }
        for (k, o) in old where fresh[k] == nil { handlers.forEach { $0.deleted(o) } }
        waiters.forEach { $0.resume() }
    }

    func apply(_ ev: APIClient.Event) {
        let key = Self.key(ev.object)
        switch ev.type {
        case "ADDED", "MODIFIED":
            let (handlers, old) = state.withLock { s -> ([Handler], JSON?) in
                let old = s.objects[key]
                s.objects[key] = ev.object
                return (s.handlers, old)
            }
            if let old { handlers.forEach { $0.updated(old, ev.object) } } else { handlers.forEach { $0.added(ev.object) } }
        case "DELETED":
            let handlers = state.withLock { s -> [Handler] in
                s.objects[key] = nil
                return s.handlers
            }
            handlers.forEach { $0.deleted(ev.object) }
        default:
            break // BOOKMARK: only moves the resourceVersion
        }
    }
}
