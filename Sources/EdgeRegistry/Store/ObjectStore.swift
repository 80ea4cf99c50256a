import EdgeAPI
import EdgeStore

/// The registry's generic store between REST verbs and the key-value Backend,
/// upstream's genericregistry.Store: object metadata rules (uid, generation,
/// timestamps, finalizers, graceful deletion), compare-and-swap updates with
/// retry, revision-consistent paged lists. What differs by resource is asked
/// of the resource's strategy in the catalog; admission runs inside each
/// write, so what it judges is what is written. Every write carries its
/// WriteContext.
public final class ObjectStore: Sendable {
    public let backend: any Backend
    public let catalog: ResourceCatalog
    public let admission: AdmissionChain
    public let managedFields: any ManagedFieldsTracker
    /// How long a read waits for a resourceVersion the store has not reached (upstream: 3 s).
    public let freshnessTimeout: Duration

    public init(backend: any Backend, catalog: ResourceCatalog, admission: AdmissionChain = .standard,
                managedFields: any ManagedFieldsTracker = FieldManager(), freshnessTimeout: Duration = .seconds(3)) {
        self.backend = backend
        self.catalog = catalog
        self.admission = admission
        self.managedFields = managedFields
        self.freshnessTimeout = freshnessTimeout
    }

    /// A store serving the built-in resources with the standard admission chain.
    public convenience init(backend: any Backend, services: ServiceAllocator? = nil, freshnessTimeout: Duration = .seconds(3)) throws {
        self.init(backend: backend, catalog: ResourceCatalog(BuiltinStrategies.all(services: try services ?? ServiceAllocator())),
                  freshnessTimeout: freshnessTimeout)
    }

    /// The cluster IP and node port allocator, when Services are served.
    public var services: ServiceAllocator? {
        (catalog.strategy(group: "", version: "v1", plural: "services") as? ServiceStrategy)?.allocator
    }

    /// Waits (as upstream's watch cache does) until the store has reached `revision`, or answers 504.
    public func waitUntilFresh(_ revision: UInt64?) async throws {
        guard let revision else { return }
        try await ResourceVersionFreshness.wait(for: revision, in: backend, timeout: freshnessTimeout)
    }

    // MARK: reads

    public func get(_ r: ResourceInfo, namespace: String?, name: String) async throws -> JSON {
        guard let kv = try await mapStoreErrors(r, name, { try await backend.get(r.key(namespace: namespace, name: name)) }) else {
            throw APIError.notFound(r, name)
        }
        return try decodeForRead(kv, r)
    }

    public func getIfExists(_ r: ResourceInfo, namespace: String?, name: String) async throws -> JSON? {
        guard let kv = try await backend.get(r.key(namespace: namespace, name: name)) else { return nil }
        return try decodeForRead(kv, r)
    }

    /// A stored object as a read through `r` sees it (the strategy converts it from the storage form).
    func decodeForRead(_ kv: KeyValue, _ r: ResourceInfo, _ strategy: (any ResourceStrategy)? = nil) throws -> JSON {
        var obj = try ObjectCodec.decode(kv)
        if let s = strategy ?? catalog.strategy(group: r.group, version: r.version, plural: r.plural) { s.convertFromStorage(&obj) }
        return obj
    }

    func mapStoreErrors<T>(_ r: ResourceInfo, _ name: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as StoreError {
            switch e {
            case .notFound: throw APIError.notFound(r, name)
            case .alreadyExists: throw APIError.alreadyExists(r, name)
            case .conflict: throw APIError.staleResourceVersion(r, name)
            case .noSpace: throw e // the HTTP surface answers it as upstream answers etcd's NOSPACE
            default: throw e.apiError
            }
        }
    }
}
