import EdgeAPI
import EdgeRegistry
import EdgeStore
import Logging
import Synchronization

/// The RBAC objects kept in memory and up to date from a watch on the store,
/// as upstream's RBAC authorizer reads them from informers: authorizing a
/// request costs a few dictionary lookups, never a store read. `load()` reads
/// everything once (the server awaits it before serving); `run()` follows
/// every change after that, relisting if the watch falls behind compaction.
public final class RBACPolicyCache: Sendable {
    let backend: any Backend
    static let prefix = "/registry/rbac.authorization.k8s.io/"
    static let kinds = [BuiltinResources.roles, BuiltinResources.clusterRoles, BuiltinResources.roleBindings, BuiltinResources.clusterRoleBindings]

    struct State {
        var objects: [String: JSON] = [:]
        var revision: Int64 = 0
        var policy = RBACPolicy()
    }

    private let state = Mutex(State())
    /// The task following the store once `start()` ran.
    private let follower = Mutex<Task<Void, Never>?>(nil)
    let log = Logger(label: "edgectl.rbac")

    public init(backend: any Backend) { self.backend = backend }

    /// The policy as of the last change seen.
    public var policy: RBACPolicy { state.withLock { $0.policy } }

    public var revision: Int64 { state.withLock { $0.revision } }

    /// Reads every RBAC object afresh.
    public func load() async throws {
        var objects: [String: JSON] = [:]
        var revision: Int64 = 0
        var startAfter: String?
        repeat {
            let page = try await backend.list(prefix: Self.prefix, revision: revision, startAfter: startAfter, limit: 500)
            revision = page.revision
            for kv in page.items { objects[kv.key] = try? ObjectCodec.decode(kv) }
            startAfter = page.more ? page.items.last?.key : nil
        } while startAfter != nil
        let policy = Self.build(objects)
        state.withLock { $0 = State(objects: objects, revision: revision, policy: policy) }
    }

    /// Loads, then follows the store in a task of its own until `stop()`. Safe to call more than once.
    public func start() async throws {
        if follower.withLock({ $0 != nil }) { return }
        try await load()
        follower.withLock { t in
            if t == nil { t = Task { [self] in await run() } }
        }
    }

    public func stop() {
        follower.withLock { t in
            t?.cancel()
            t = nil
        }
    }

    /// The policy, starting the cache first if nobody did (an API server built without one).
    public func current() async -> RBACPolicy {
        if follower.withLock({ $0 == nil }) {
            do { try await start() } catch { log.warning("rbac: could not read the RBAC objects: \(error)") }
        }
        return policy
    }

    /// Follows changes until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                for try await event in backend.watch(prefix: Self.prefix, afterRevision: revision) {
                    apply(event)
                }
            } catch StoreError.compacted {
                log.info("rbac: watch fell behind compaction; relisting")
                do { try await load() } catch { log.warning("rbac: relist failed: \(error)") }
            } catch {
                if Task.isCancelled { return }
                log.warning("rbac: watch ended: \(error); restarting")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    func apply(_ event: WatchEvent) {
        let decoded = event.type == .put ? try? ObjectCodec.decode(event.kv) : nil
        state.withLock { s in
            guard event.kv.modRevision > s.revision else { return }
            if event.type == .put, let decoded { s.objects[event.kv.key] = decoded } else { s.objects[event.kv.key] = nil }
            s.revision = event.kv.modRevision
            s.policy = Self.build(s.objects)
        }
    }

    static func build(_ objects: [String: JSON]) -> RBACPolicy {
        var byKind: [[JSON]] = Array(repeating: [], count: kinds.count)
        for (key, obj) in objects {
            guard let i = kinds.firstIndex(where: { key.hasPrefix($0.keyPrefix) }) else { continue }
            byKind[i].append(obj)
        }
        return RBACPolicy(roles: byKind[0], clusterRoles: byKind[1], roleBindings: byKind[2], clusterRoleBindings: byKind[3])
    }
}
