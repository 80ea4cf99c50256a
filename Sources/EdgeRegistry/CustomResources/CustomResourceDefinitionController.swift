import EdgeAPI
import EdgeStore
import Logging
import Synchronization

/// Serves what CustomResourceDefinitions define, as upstream's naming,
/// establishing and finalizing controllers do together: it accepts a
/// definition's names unless another definition of the group holds them
/// (NamesAccepted), registers a CustomResourceStrategy per served version in
/// the catalog and then reports Established; a version no longer served
/// stops being served; a definition being deleted keeps serving reads while
/// this controller deletes its objects, then its finalizer goes and so does
/// the resource. Level-triggered: every pass looks at all definitions; it
/// wakes on definition events, and every second while a deletion waits.
public final class CustomResourceDefinitionController: Sendable {
    static let crds = BuiltinResources.customResourceDefinitions
    let store: ObjectStore
    let log = Logger(label: "edgectl.crd-controller")
    /// What each definition registered in the catalog, and from which state of the definition.
    private let served = Mutex<[String: Registration]>([:])

    struct Registration: Sendable {
        /// The definition's uid, generation and whether it is being deleted: what the strategies were built
        /// from. Status writes change none of them, so they do not rebuild a (possibly large) schema.
        var source: String
        var keys: [ResourceKey]
    }

    static func source(_ crd: CustomResourceDefinition) -> String {
        "\(crd.uid)/\(crd.json[path: ["metadata", "generation"]]?.int ?? 0)/\(crd.deleting)"
    }

    struct ResourceKey: Sendable, Hashable {
        var group: String
        var version: String
        var plural: String
    }

    public init(store: ObjectStore) { self.store = store }

    /// One pass; then, until cancelled, a pass after every definition change (and every second while
    /// a definition's objects are being deleted).
    public func run() async {
        while !Task.isCancelled {
            var revision: Int64 = 0
            var pending = true
            do { (revision, pending) = try await syncAll() } catch {
                log.warning("custom resource definitions: \(error)")
            }
            if pending || revision == 0 {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            do {
                for try await _ in store.backend.watch(prefix: Self.crds.keyPrefix, afterRevision: revision) { break }
            } catch {
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Brings the catalog and every definition's status in line with the stored definitions.
    /// Returns the revision it read and whether some definition still waits (a deletion in progress).
    @discardableResult
    public func syncAll() async throws -> (revision: Int64, pending: Bool) {
        let page = try await store.listAll(Self.crds, namespace: nil)
        let all = page.items.map(CustomResourceDefinition.init)
        var pending = false
        for crd in all {
            do {
                if try await sync(crd, all) { pending = true }
            } catch let e as APIError where e.code == 404 || e.code == 409 {
                pending = true // changed or gone meanwhile: look again
            } catch {
                log.warning("custom resource definition \(crd.name): \(error)")
                pending = true
            }
        }
        // Definitions gone from the store: their resources go from the catalog.
        let present = Set(all.map(\.name))
        let gone = served.withLock { s in s.filter { !present.contains($0.key) } }
        for (name, reg) in gone {
            for k in reg.keys { store.catalog.remove(group: k.group, version: k.version, plural: k.plural) }
            _ = served.withLock { $0.removeValue(forKey: name) }
            log.info("custom resource definition \(name) removed; its resources are no longer served")
        }
        return (page.revision, pending)
    }

    /// Returns true while the definition waits for something (its objects being deleted).
    func sync(_ crd: CustomResourceDefinition, _ all: [CustomResourceDefinition]) async throws -> Bool {
        if crd.deleting { return try await finalize(crd) }
        if let conflict = Self.nameConflict(crd, among: all) {
            try await writeStatus(crd, accepted: nil, conditions: [
                condition("NamesAccepted", false, conflict.reason, conflict.message, crd),
                condition("Established", false, "NotAccepted", "not all names are accepted", crd),
            ])
            return false
        }
        if served.withLock({ $0[crd.name]?.source }) != Self.source(crd) { register(crd, names: crd.names) }
        try await writeStatus(crd, accepted: crd.names, conditions: [
            condition("NamesAccepted", true, "NoConflicts", "no conflicts found", crd),
            condition("Established", true, "InitialNamesAccepted", "the initial names have been accepted", crd),
        ])
        return false
    }

    /// Registers a strategy per served version and stops serving what the definition no longer serves.
    func register(_ crd: CustomResourceDefinition, names: CustomResourceDefinition.Names) {
        var keys: [ResourceKey] = []
        for v in crd.versions where v.served {
            let strategy = CustomResourceStrategy(definition: crd, version: v, names: names)
            store.catalog.register(strategy)
            keys.append(ResourceKey(group: crd.group, version: v.name, plural: names.plural))
        }
        let previous = served.withLock { s in
            let old = s[crd.name]?.keys ?? []
            s[crd.name] = Registration(source: Self.source(crd), keys: keys)
            return old
        }
        for k in previous where !keys.contains(k) { store.catalog.remove(group: k.group, version: k.version, plural: k.plural) }
        log.info("custom resource definition \(crd.name) serves \(keys.map(\.version).joined(separator: ", "))")
    }

    /// Deletes the definition's objects; once none is left, drops the cleanup finalizer.
    func finalize(_ crd: CustomResourceDefinition) async throws -> Bool {
        // Keep serving reads and deletes (not creates) while the objects go.
        if let names = crd.acceptedNames, served.withLock({ $0[crd.name]?.source }) != Self.source(crd) {
            register(crd, names: names)
        }
        let finalizers = (crd.json[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string)
        guard finalizers.contains(CustomResourceDefinitionStrategy.cleanupFinalizer) else { return false }
        let remaining = try await deleteObjects(crd)
        if remaining > 0 {
            try await writeStatus(crd, accepted: crd.acceptedNames, conditions: Self.currentConditions(crd) + [
                condition("Terminating", true, "InstanceDeletionInProgress", "CustomResource deletion is in progress", crd),
            ])
            return true
        }
        _ = try await store.guaranteedUpdate(Self.crds, namespace: nil, name: crd.name, context: .apiServer) { old in
            var new = old
            let rest = (old[path: ["metadata", "finalizers"]]?.array ?? []).filter { $0.string != CustomResourceDefinitionStrategy.cleanupFinalizer }
            new[path: ["metadata", "finalizers"]] = rest.isEmpty ? nil : .array(rest)
            return (new, false)
        }
        return false
    }

    /// Deletes every object of the definition (all versions share one storage prefix); returns how many are left.
    func deleteObjects(_ crd: CustomResourceDefinition) async throws -> Int {
        guard let names = crd.acceptedNames, let version = crd.versions.first(where: \.served)?.name else { return 0 }
        let r = ResourceInfo(group: crd.group, version: version, kind: names.kind, plural: names.plural, namespaced: crd.namespaced,
                             listKind: names.listKind)
        let page = try await store.backend.list(prefix: r.keyPrefix, revision: 0, startAfter: nil, limit: 0)
        for kv in page.items {
            let obj = try ObjectCodec.decode(kv)
            if obj[path: ["metadata", "deletionTimestamp"]] != nil { continue }
            guard let name = obj[path: ["metadata", "name"]]?.string else { continue }
            let ns = crd.namespaced ? obj[path: ["metadata", "namespace"]]?.string : nil
            do {
                _ = try await store.delete(r, namespace: ns, name: name, options: DeleteOptions(), context: .apiServer)
            } catch let e as APIError where e.code == 404 {
                continue
            } catch {
                log.warning("could not delete \(r.qualifiedName) \(ns.map { $0 + "/" } ?? "")\(name) of a deleted definition: \(error)")
            }
        }
        return try await store.backend.list(prefix: r.keyPrefix, revision: 0, startAfter: nil, limit: 1).items.count
    }

    /// Writes status (acceptedNames, conditions, storedVersions) when it differs from what is stored.
    func writeStatus(_ crd: CustomResourceDefinition, accepted: CustomResourceDefinition.Names?, conditions: [JSON]) async throws {
        var status = crd.json["status"]?.object ?? JSONObject()
        status["conditions"] = .array(conditions)
        status["acceptedNames"] = accepted?.json ?? (crd.json[path: ["status", "acceptedNames"]] ?? ["plural": "", "kind": ""])
        var stored = (status["storedVersions"]?.array ?? []).compactMap(\.string)
        if accepted != nil, let v = crd.storageVersion, !stored.contains(v) { stored.append(v) }
        status["storedVersions"] = .array(stored.map { .string($0) })
        if JSON.object(status) == crd.json["status"] { return }
        _ = try await store.guaranteedUpdate(Self.crds, namespace: nil, name: crd.name, context: WriteContext.apiServer.with(subresource: "status")) { old in
            guard old[path: ["metadata", "uid"]]?.string == crd.uid else { throw APIError.conflict(Self.crds, crd.name, "the definition was replaced") }
            var new = old
            new["status"] = .object(status)
            return (new, false)
        }
    }

    /// A condition keeping its lastTransitionTime while its status stays the same.
    func condition(_ type: String, _ status: Bool, _ reason: String, _ message: String, _ crd: CustomResourceDefinition) -> JSON {
        let s = status ? "True" : "False"
        let previous = crd.condition(type)
        let time = previous?["status"]?.string == s ? (previous?["lastTransitionTime"] ?? .string(Timestamp.now().rfc3339))
                                                     : .string(Timestamp.now().rfc3339)
        return ["type": .string(type), "status": .string(s), "lastTransitionTime": time, "reason": .string(reason), "message": .string(message)]
    }

    static func currentConditions(_ crd: CustomResourceDefinition) -> [JSON] {
        (crd.json[path: ["status", "conditions"]]?.array ?? []).filter { $0["type"]?.string != "Terminating" }
    }

    /// Upstream's naming controller: a name another definition of the same group already holds is refused.
    /// The definition created first keeps its names.
    static func nameConflict(_ crd: CustomResourceDefinition, among all: [CustomResourceDefinition]) -> (reason: String, message: String)? {
        let created = crd.json[path: ["metadata", "creationTimestamp"]]?.string ?? ""
        for other in all where other.name != crd.name && other.group == crd.group {
            let otherCreated = other.json[path: ["metadata", "creationTimestamp"]]?.string ?? ""
            // Only definitions that came first (or hold accepted names) win.
            guard other.acceptedNames != nil || otherCreated < created || (otherCreated == created && other.name < crd.name) else { continue }
            let held = other.acceptedNames ?? other.names
            let resourceNames = Set([held.plural, held.singular] + held.shortNames)
            if resourceNames.contains(crd.names.plural) { return ("PluralConflict", "\"\(crd.names.plural)\" is already in use") }
            if resourceNames.contains(crd.names.singular) { return ("SingularConflict", "\"\(crd.names.singular)\" is already in use") }
            if let s = crd.names.shortNames.first(where: resourceNames.contains) { return ("ShortNamesConflict", "\"\(s)\" is already in use") }
            let kinds = Set([held.kind, held.listKind])
            if kinds.contains(crd.names.kind) { return ("KindConflict", "\"\(crd.names.kind)\" is already in use") }
            if kinds.contains(crd.names.listKind) { return ("ListKindConflict", "\"\(crd.names.listKind)\" is already in use") }
        }
        return nil
    }
}
