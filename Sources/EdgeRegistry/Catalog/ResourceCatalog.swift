import EdgeAPI
import Synchronization

/// The resources this server serves, each with its strategy: what routing,
/// discovery, OpenAPI and the store consult. It changes at run time (custom
/// resources are registered when their definition is established and removed
/// with it), so readers take a snapshot; every change bumps `version`, which
/// discovery and OpenAPI caches compare to know when to rebuild.
public final class ResourceCatalog: Sendable {
    private let state: Mutex<CatalogSnapshot>

    public init(_ strategies: [any ResourceStrategy] = []) {
        state = Mutex(CatalogSnapshot(version: 1, strategies: strategies))
    }

    /// The catalog as it is now; later changes do not affect it.
    public var snapshot: CatalogSnapshot { state.withLock { $0 } }

    public var version: UInt64 { state.withLock { $0.version } }

    /// Adds a resource, or replaces the one served at the same group, version and plural
    /// (a custom resource whose definition changed). Returns the catalog's new version.
    @discardableResult
    public func register(_ strategy: any ResourceStrategy) -> UInt64 {
        state.withLock { s in
            var list = s.strategies
            let key = CatalogSnapshot.key(strategy.resource.group, strategy.resource.version, strategy.resource.plural)
            if let i = list.firstIndex(where: { CatalogSnapshot.key($0.resource) == key }) {
                list[i] = strategy
            } else {
                list.append(strategy)
            }
            s = CatalogSnapshot(version: s.version &+ 1, strategies: list)
            return s.version
        }
    }

    /// Stops serving a resource (its objects stay in the store until someone deletes them).
    /// Returns whether it was served.
    @discardableResult
    public func remove(group: String, version: String, plural: String) -> Bool {
        state.withLock { s in
            let key = CatalogSnapshot.key(group, version, plural)
            guard s.strategies.contains(where: { CatalogSnapshot.key($0.resource) == key }) else { return false }
            s = CatalogSnapshot(version: s.version &+ 1, strategies: s.strategies.filter { CatalogSnapshot.key($0.resource) != key })
            return true
        }
    }

    public func strategy(group: String, version: String, plural: String) -> (any ResourceStrategy)? {
        snapshot.strategy(group: group, version: version, plural: plural)
    }

    /// The strategy of a resource the caller already holds: a clean 404 when the
    /// resource stopped being served meanwhile (its definition was deleted).
    public func strategy(for r: ResourceInfo) throws -> any ResourceStrategy {
        guard let s = snapshot.strategy(group: r.group, version: r.version, plural: r.plural) else {
            throw APIError.pathNotFound()
        }
        return s
    }

    public func resource(apiVersion: String, kind: String) -> ResourceInfo? {
        snapshot.resource(apiVersion: apiVersion, kind: kind)
    }
}
