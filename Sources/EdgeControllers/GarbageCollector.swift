import EdgeAPI
import EdgeClient

/// Deletes objects whose owners are gone, and carries out foreground and
/// orphan deletion of owners, over ownerReferences, as `kubectl delete
/// --cascade=background|foreground|orphan` expects. Level-triggered: a key is
/// one object; handlers enqueue the objects an event may concern. It reads
/// only metadata, so it asks for metadata-only informers (PartialObjectMetadata,
/// as upstream's) that keep only the objects it acts on: kinds no other
/// controller reads whole (ConfigMaps, Secrets) cost nothing for objects
/// without owners, and owners' dependents come from an ownerUID index.
public struct GarbageCollector: Controller {
    public let name = "garbagecollector"
    public var workers: Int { 2 }

    /// Kinds that own or are owned in practice.
    static let kinds: [ResourceInfo] = [
        BuiltinResources.pods, BuiltinResources.replicaSets, BuiltinResources.replicationControllers,
        BuiltinResources.deployments, BuiltinResources.daemonSets,
        BuiltinResources.statefulSets, BuiltinResources.jobs,
        BuiltinResources.cronJobs, BuiltinResources.services,
        BuiltinResources.endpointSlices, BuiltinResources.configMaps,
        BuiltinResources.secrets, BuiltinResources.nodes,
        BuiltinResources.leases,
    ]

    /// Custom resources, followed while their definitions are established.
    let custom: CustomKinds

    public init() { custom = CustomKinds() }

    static func key(_ r: ResourceInfo, _ obj: JSON) -> String { r.keyPrefix + "|" + Informer.key(obj) }

    /// The objects the collector acts on: dependents (they have owners) and owners
    /// being deleted in the foreground or orphaning. Owners are looked up in the
    /// cache when another controller caches their kind whole, else through the API.
    static let actsOn = InformerFilter(name: "garbagecollector") { o in
        if !(o[path: ["metadata", "ownerReferences"]]?.array ?? []).isEmpty { return true }
        return (o[path: ["metadata", "finalizers"]]?.array ?? []).contains { $0.string == "orphan" || $0.string == "foregroundDeletion" }
    }

    /// The metadata of `r`'s objects the collector acts on, from the shared informers.
    static func cache(_ r: ResourceInfo, _ ctx: ControllerContext) -> Informer {
        ctx.informers.metadataInformer(r, keeping: actsOn)
    }

    /// Built-in kinds and the custom resources defined now.
    var kinds: [ResourceInfo] { Self.kinds + custom.all }

    public func register(_ ctx: ControllerContext, _ queue: WorkQueue) {
        for r in Self.kinds { follow(r, ctx, queue) }
        // Custom objects own and are owned too: follow each established definition's resource.
        let crds = ctx.informers.informer(BuiltinResources.customResourceDefinitions)
        let custom = self.custom
        let learn: @Sendable (JSON) -> Void = { crd in
            guard let name = crd[path: ["metadata", "name"]]?.string else { return }
            guard let r = CustomKinds.resource(ofDefinition: crd) else {
                if let gone = custom.remove(definition: name) { ctx.informers.remove(gone) }
                return
            }
            if custom.add(definition: name, r) {
                follow(r, ctx, queue)
                Task { await ctx.informers.startAndSync() }
            }
        }
        crds.addHandler(Informer.Handler(
            added: learn, updated: { _, o in learn(o) },
            deleted: { crd in
                guard let name = crd[path: ["metadata", "name"]]?.string, let gone = custom.remove(definition: name) else { return }
                ctx.informers.remove(gone)
            }))
    }

    func follow(_ r: ResourceInfo, _ ctx: ControllerContext, _ queue: WorkQueue) {
        let informer = Self.cache(r, ctx)
        informer.addIndex(.ownerUID)
        informer.addHandler(Informer.Handler(
            added: { o in if Self.interesting(o) { queue.add(Self.key(r, o)) } },
            updated: { _, o in if Self.interesting(o) { queue.add(Self.key(r, o)) } },
            deleted: { o in
                // Its dependents may now be orphans.
                guard let uid = o[path: ["metadata", "uid"]]?.string else { return }
                for (dr, dep) in dependents(of: uid, ctx) { queue.add(Self.key(dr, dep)) }
            }))
    }

    static func interesting(_ o: JSON) -> Bool {
        let finalizers = (o[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string)
        return !(o[path: ["metadata", "ownerReferences"]]?.array ?? []).isEmpty
            || (o[path: ["metadata", "deletionTimestamp"]] != nil && (finalizers.contains("orphan") || finalizers.contains("foregroundDeletion")))
    }

    func dependents(of uid: String, _ ctx: ControllerContext) -> [(ResourceInfo, JSON)] {
        var out: [(ResourceInfo, JSON)] = []
        for r in kinds {
            for o in Self.cache(r, ctx).byIndex(.ownerUID, uid) {
                out.append((r, o))
            }
        }
        return out
    }

    public func reconcile(_ key: String, _ ctx: ControllerContext) async throws {
        let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, let r = kinds.first(where: { $0.keyPrefix == parts[0] }),
              let obj = Self.cache(r, ctx).get(parts[1]) else { return }
        let (ns, name) = Informer.split(parts[1])
        let uid = obj[path: ["metadata", "uid"]]?.string ?? ""
        let finalizers = (obj[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string)

        if obj[path: ["metadata", "deletionTimestamp"]] != nil && finalizers.contains("orphan") {
            for (dr, dep) in dependents(of: uid, ctx) {
                let refs = (dep[path: ["metadata", "ownerReferences"]]?.array ?? []).filter { $0["uid"]?.string != uid }
                // A dependent still pointing at the owner would be collected with it once the
                // finalizer goes: a failure retries the key before the finalizer is removed.
                do {
                    _ = try await ctx.client.mergePatch(dr, namespace: dep[path: ["metadata", "namespace"]]?.string,
                                                        name: dep[path: ["metadata", "name"]]?.string ?? "",
                                                        ["metadata": ["ownerReferences": refs.isEmpty ? .null : .array(refs)]])
                } catch let e as APIError where e.code == 404 {
                    // Deleted meanwhile: nothing left to orphan.
                }
            }
            try await removeFinalizer("orphan", from: obj, r, ns: ns, name: name, ctx)
            return
        }
        if obj[path: ["metadata", "deletionTimestamp"]] != nil && finalizers.contains("foregroundDeletion") {
            let deps = dependents(of: uid, ctx)
            if deps.isEmpty {
                try await removeFinalizer("foregroundDeletion", from: obj, r, ns: ns, name: name, ctx)
                return
            }
            for (dr, dep) in deps where dep[path: ["metadata", "deletionTimestamp"]] == nil {
                do {
                    try await ctx.client.delete(dr, namespace: dep[path: ["metadata", "namespace"]]?.string,
                                                name: dep[path: ["metadata", "name"]]?.string ?? "", propagationPolicy: "Foreground")
                } catch let e as APIError where e.code == 404 {}
            }
            throw RequeueAfter(.milliseconds(500))
        }
        guard !(obj[path: ["metadata", "ownerReferences"]]?.array ?? []).isEmpty else { return }
        // Decide on the live object, not the cache: an orphaning owner may just have removed its reference.
        guard let live = try await ctx.client.getIfExists(r, namespace: ns, name: name),
              live[path: ["metadata", "uid"]]?.string == uid else { return }
        let refs = live[path: ["metadata", "ownerReferences"]]?.array ?? []
        guard !refs.isEmpty else { return }
        for ref in refs where try await ownerExists(ref, namespace: ns, ctx) { return }
        // Every owner is gone: this object goes too, and its own dependents after it.
        do {
            try await ctx.client.delete(r, namespace: ns, name: name, propagationPolicy: "Background", preconditionUID: uid,
                                        preconditionResourceVersion: live[path: ["metadata", "resourceVersion"]]?.string)
        } catch let e as APIError where e.code == 404 || e.code == 409 {}
    }

    /// Checks the cache, then the API, because acting on a stale cache would delete live objects.
    func ownerExists(_ ref: JSON, namespace: String?, _ ctx: ControllerContext) async throws -> Bool {
        guard let apiVersion = ref["apiVersion"]?.string, let kind = ref["kind"]?.string, let name = ref["name"]?.string,
              let r = BuiltinResources.lookup(apiVersion: apiVersion, kind: kind) ?? custom.lookup(apiVersion: apiVersion, kind: kind)
        else { return true }
        let ns = r.namespaced ? namespace : nil
        let key = ns.map { "\($0)/\(name)" } ?? name
        if kinds.contains(r), Self.cache(r, ctx).get(key)?[path: ["metadata", "uid"]] == ref["uid"] { return true }
        let live = try await ctx.client.getIfExists(r, namespace: ns, name: name)
        return live?[path: ["metadata", "uid"]] == ref["uid"]
    }

    func removeFinalizer(_ f: String, from obj: JSON, _ r: ResourceInfo, ns: String?, name: String, _ ctx: ControllerContext) async throws {
        let remaining = (obj[path: ["metadata", "finalizers"]]?.array ?? []).filter { $0.string != f }
        do {
            _ = try await ctx.client.mergePatch(r, namespace: ns, name: name,
                                                ["metadata": ["finalizers": remaining.isEmpty ? .null : .array(remaining),
                                                              "resourceVersion": obj[path: ["metadata", "resourceVersion"]] ?? .null]])
        } catch let e as APIError where e.code == 404 {}
    }
}
