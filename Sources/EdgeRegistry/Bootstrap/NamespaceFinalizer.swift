import EdgeAPI
import EdgeStore
import Logging

/// Empties namespaces that are being deleted and then releases them (removes
/// the `kubernetes` finalizer), so `kubectl delete namespace` completes.
/// Level-triggered: it wakes on namespace events and re-checks every few
/// seconds while any namespace is terminating. Every namespaced resource in
/// the catalog is emptied, custom resources included.
public struct NamespaceFinalizer: Sendable {
    let store: ObjectStore
    static let namespaces = BuiltinResources.namespaces
    let log = Logger(label: "edgectl.namespace-finalizer")

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
        let page = try await store.listAll(Self.namespaces, namespace: nil)
        var pending = false
        for ns in page.items where ns[path: ["metadata", "deletionTimestamp"]] != nil {
            guard let name = ns[path: ["metadata", "name"]]?.string else { continue }
            if try await !empty(name) {
                pending = true
                continue
            }
            do {
                _ = try await store.guaranteedUpdate(Self.namespaces, namespace: nil, name: name, context: .apiServer) { old in
                    var new = old
                    let remaining = (old[path: ["spec", "finalizers"]]?.array ?? []).filter { $0.string != "kubernetes" }
                    new[path: ["spec", "finalizers"]] = .array(remaining)
                    return (new, false)
                }
            } catch let e as APIError where e.code == 404 {
                continue // gone meanwhile
            } catch {
                log.warning("could not release namespace \(name): \(error)")
                pending = true
            }
        }
        return pending
    }

    /// Deletes what is left in the namespace; true once nothing is.
    func empty(_ namespace: String) async throws -> Bool {
        var empty = true
        for r in store.catalog.snapshot.resources where r.namespaced {
            let page = try await store.backend.list(prefix: r.listPrefix(namespace: namespace), revision: 0, startAfter: nil, limit: 0)
            for kv in page.items {
                empty = false
                let obj = try ObjectCodec.decode(kv)
                if obj[path: ["metadata", "deletionTimestamp"]] != nil { continue }
                guard let name = obj[path: ["metadata", "name"]]?.string else { continue }
                do {
                    _ = try await store.delete(r, namespace: namespace, name: name, options: DeleteOptions(), context: .apiServer)
                } catch let e as APIError where e.code == 404 {
                    continue
                } catch {
                    log.warning("could not delete \(r.qualifiedName) \(namespace)/\(name) of a terminating namespace: \(error)")
                }
            }
        }
        return empty
    }
}
