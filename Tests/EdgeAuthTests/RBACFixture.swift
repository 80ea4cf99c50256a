import EdgeAPI
import EdgeRegistry
import EdgeStore
@testable import EdgeAuth

/// A memory store with the bootstrap policy, its RBAC cache, the standard chain and the escalation step.
struct RBACFixture {
    let store: ObjectStore
    let cache: RBACPolicyCache
    let chain: AuthorizerChain

    init() async throws {
        let backend = MemoryBackend()
        let cache = RBACPolicyCache(backend: backend)
        var admission = AdmissionChain.standard
        admission.add(RBACEscalationCheck(cache: cache, authorizer: AuthorizerChain([PrivilegedGroupAuthorizer(), RBACAuthorizer(cache: cache)])))
        store = ObjectStore(backend: backend, catalog: BuiltinStrategies.catalog(services: try ServiceAllocator()), admission: admission)
        try await ClusterBootstrap.ensureSystemObjects(store)
        try await BootstrapPolicy.reconcile(store)
        try await cache.load()
        self.cache = cache
        chain = AuthorizerChain.standard(store: store, rbac: cache)
    }

    /// Creates as the API server and reloads the cache (the watch would do it a moment later).
    @discardableResult
    func create(_ r: ResourceInfo, _ ns: String?, _ obj: JSON, as user: UserInfo = .apiServer) async throws -> JSON {
        let created = try await store.create(r, namespace: ns, object: obj, context: WriteContext(user: user)).0
        try await cache.load()
        return created
    }

    func allowed(_ user: UserInfo, _ method: String, _ path: String) async -> Bool {
        await chain.authorize(user, RequestInfo.parse(method: method, path: path, query: [:]), path: path).allowed
    }

    static func role(_ name: String, _ rules: [JSON], kind: String = "Role", labels: JSON? = nil) -> JSON {
        var meta: JSON = ["name": .string(name)]
        if let labels { meta["labels"] = labels }
        return ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": meta, "rules": .array(rules)]
    }

    static func binding(_ name: String, role: String, roleKind: String = "Role", kind: String = "RoleBinding", subjects: [JSON]) -> JSON {
        ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": .string(kind), "metadata": ["name": .string(name)],
         "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(role)], "subjects": .array(subjects)]
    }

    static func rule(_ verbs: [String], _ groups: [String], _ resources: [String]) -> JSON {
        ["verbs": .array(verbs.map { .string($0) }), "apiGroups": .array(groups.map { .string($0) }), "resources": .array(resources.map { .string($0) })]
    }
}
