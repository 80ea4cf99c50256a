import EdgeAPI
import EdgeStore

/// Empties namespaces that are being deleted and then releases them (removes
/// the `kubernetes` finalizer), so `kubectl delete namespace` completes.
/// Level-triggered: it wakes on namespace events and re-checks every few
/// seconds while any namespace is terminating.
public struct NamespaceFinalizer: Sendable {
    let store: ObjectStore
    static let namespaces = ResourceRegistry.lookup(group: "", version: "v1", plural: "namespaces")!

    public init(store: ObjectStore) { self.store = store }

    public func run() async {
        while !Task.isCancelled {
            let pending = (try? await reconcileAll()) ?? true
            if pending {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            // Nothing terminating: wait for the next namespace change.
            do {
                let rev = try await store.backend.currentRevision()
                for try await ev in store.backend.watch(prefix: Self.namespaces.keyPrefix, afterRevision: rev) {
                    if ev.type == .put, (try? ObjectCodec.decode(ev.kv))?[path: ["metadata", "deletionTimestamp"]] != nil { break }
                }
            } catch {
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Returns true while some namespace is still terminating.
    func reconcileAll() async throws -> Bool {
        var listOpts = try ListOptions(query: [:], resource: Self.namespaces)
        listOpts.limit = 0
        let page = try await store.list(Self.namespaces, namespace: nil, options: listOpts)
        var pending = false
        for ns in page.items where ns[path: ["metadata", "deletionTimestamp"]] != nil {
            guard let name = ns[path: ["metadata", "name"]]?.string else { continue }
            if try await !empty(name) {
                pending = true
                continue
            }
            _ = try? await store.guaranteedUpdate(Self.namespaces, namespace: nil, name: name, dryRun: false) { old in
                var new = old
                let remaining = (old[path: ["spec", "finalizers"]]?.array ?? []).filter { $0.string != "kubernetes" }
                new[path: ["spec", "finalizers"]] = .array(remaining)
                return (new, false)
            }
        }
        return pending
    }

    /// Deletes what is left in the namespace; true once nothing is.
    func empty(_ namespace: String) async throws -> Bool {
        var empty = true
        for r in ResourceRegistry.all where r.namespaced {
            let page = try await store.backend.list(prefix: r.listPrefix(namespace: namespace), revision: 0, startAfter: nil, limit: 0)
            for kv in page.items {
                empty = false
                let obj = try ObjectCodec.decode(kv)
                if obj[path: ["metadata", "deletionTimestamp"]] != nil { continue }
                guard let name = obj[path: ["metadata", "name"]]?.string else { continue }
                _ = try? await store.delete(r, namespace: namespace, name: name, options: DeleteOptions(), dryRun: false)
            }
        }
        return empty
    }
}
