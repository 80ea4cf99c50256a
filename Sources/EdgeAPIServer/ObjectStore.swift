import EdgeAPI
import EdgeStore

/// The registry layer between REST verbs and the key-value Backend: object
/// metadata rules (uid, generation, timestamps, finalizers, graceful deletion),
/// compare-and-swap updates with retry, and revision-consistent paged lists.
public final class ObjectStore: Sendable {
    public let backend: any Backend
    let admission: any Admission
    /// ClusterIP and NodePort allocation for Services.
    public let services: ServiceAllocator
    /// How long a read waits for a resourceVersion the store has not reached (upstream: 3 s).
    public let freshnessTimeout: Duration

    public init(backend: any Backend, admission: any Admission, services: ServiceAllocator? = nil,
                freshnessTimeout: Duration = .seconds(3)) {
        self.backend = backend
        self.admission = admission
        self.services = services ?? (try! ServiceAllocator())
        self.freshnessTimeout = freshnessTimeout
    }

    /// Waits (as upstream's watch cache does) until the store has reached `revision`, or answers 504.
    func waitUntilFresh(_ revision: UInt64?) async throws {
        guard let revision else { return }
        try await ResourceVersionFreshness.wait(for: revision, in: backend, timeout: freshnessTimeout)
    }

    static func isService(_ r: ResourceInfo) -> Bool { r.group == "" && r.plural == "services" }

    // MARK: reads

    public func get(_ r: ResourceInfo, namespace: String?, name: String) async throws -> JSON {
        guard let kv = try await mapStoreErrors(r, name, { try await backend.get(r.key(namespace: namespace, name: name)) }) else {
            throw APIError.notFound(r, name)
        }
        return try ObjectCodec.decode(kv)
    }

    public func getIfExists(_ r: ResourceInfo, namespace: String?, name: String) async throws -> JSON? {
        guard let kv = try await backend.get(r.key(namespace: namespace, name: name)) else { return nil }
        return try ObjectCodec.decode(kv)
    }

    struct ListPage {
        var items: [JSON]
        var revision: Int64
        var continueToken: String?
    }

    /// Serves a list with selectors applied, reading store pages until `limit`
    /// matching items are found, all at one revision so pages are consistent.
    func list(_ r: ResourceInfo, namespace: String?, options: ListOptions) async throws -> ListPage {
        let prefix = r.listPrefix(namespace: namespace)
        var revision: Int64 = 0
        var startAfter: String?
        if let c = options.continueToken {
            revision = c.revision
            startAfter = prefix + c.startAfter
        } else if let wanted = options.minimumRevision {
            try await waitUntilFresh(wanted)
            // Fresh enough: the revision is one the store has handed out, so it fits an Int64.
            if options.resourceVersionMatch == "Exact" { revision = Int64(wanted) }
        }
        var items: [JSON] = []
        var lastKey: String?
        var more = false
        let filtering = options.labelSelector != nil || options.fieldSelector != nil
        while true {
            let want = options.limit == 0 ? 0 : (filtering ? max(options.limit - items.count, 64) : options.limit - items.count)
            let page: ListResult
            do {
                page = try await backend.list(prefix: prefix, revision: revision, startAfter: startAfter, limit: want)
            } catch StoreError.compacted(let requested, let at) {
                if options.continueToken != nil {
                    throw APIError.gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
                }
                throw APIError.gone("too old resource version: \(requested) (\(at))")
            } catch StoreError.futureRevision(let requested, let current) {
                throw ResourceVersionFreshness.tooLarge(UInt64(max(requested, 0)), current: current)
            }
            revision = page.revision
            var stoppedEarly = false
            for (i, kv) in page.items.enumerated() {
                let obj = try ObjectCodec.decode(kv)
                lastKey = kv.key
                if options.matches(obj) { items.append(obj) }
                if options.limit > 0 && items.count >= options.limit {
                    stoppedEarly = i < page.items.count - 1 || page.more
                    break
                }
            }
            if options.limit > 0 && items.count >= options.limit { more = stoppedEarly; break }
            if !page.more { break }
            startAfter = page.items.last?.key
        }
        // remainingItemCount is optional upstream (an estimate, omitted with selectors); we omit it.
        let token = more ? lastKey.map { ContinueToken(revision: revision, startAfter: String($0.dropFirst(prefix.count))).encoded } : nil
        return ListPage(items: items, revision: revision, continueToken: token)
    }

    // MARK: create

    public func create(_ r: ResourceInfo, namespace: String?, object body: JSON, dryRun: Bool,
                       fieldValidation: FieldValidation = .warn, duplicates: DuplicateKeys = DuplicateKeys()) async throws -> (JSON, warnings: [String]) {
        var obj = body
        try checkTypeMeta(&obj, r)
        var warnings = try applyFieldValidation(&obj, r, fieldValidation, duplicates: duplicates)
        var meta = obj["metadata"]?.object ?? JSONObject()
        if r.namespaced {
            let ns = meta["namespace"]?.string ?? ""
            if let namespace {
                if !ns.isEmpty && ns != namespace {
                    throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
                }
                meta["namespace"] = .string(namespace)
            }
        } else {
            meta["namespace"] = nil
        }
        let generateName = meta["generateName"]?.string ?? ""
        var name = meta["name"]?.string ?? ""
        if name.isEmpty && !generateName.isEmpty { name = Identifiers.generatedName(prefix: generateName) }
        meta["name"] = .string(name)
        if name.isEmpty {
            throw APIError.invalidField(r, "", field: "metadata.name", reason: "FieldValueRequired",
                                        detail: "Required value: name or generateName is required")
        }
        if r.namespaced, let namespace { try await checkNamespaceAcceptsWrites(namespace, r, name) }

        // System-owned metadata: clients cannot set these on create.
        meta["uid"] = .string(Identifiers.uuid())
        meta["creationTimestamp"] = .string(Timestamp.now().rfc3339)
        meta["resourceVersion"] = nil
        meta["deletionTimestamp"] = nil
        meta["deletionGracePeriodSeconds"] = nil
        meta["selfLink"] = nil
        if r.tracksGeneration { meta["generation"] = 1 } else { meta["generation"] = nil }
        obj["metadata"] = .object(meta)
        KindRules.prepareForCreate(&obj, r)
        if r.group == "" && r.kind == "Pod" { await ServiceAccountAdmission.addImagePullSecrets(&obj, store: self) }
        KindRules.normalize(&obj, r)
        admission.applyDefaults(&obj, resource: r)
        var allocation = ServiceAllocator.Allocation()
        if Self.isService(r) {
            try await services.load(backend)
            allocation = try services.allocate(&obj, old: nil, r)
        }
        if let e = admission.validate(obj, old: nil, resource: r) { services.release(allocation); throw e }
        if dryRun { services.release(allocation); return (obj, warnings) }

        let key = r.key(namespace: r.namespaced ? namespace ?? meta["namespace"]?.string : nil, name: name)
        do {
            let rev = try await backend.create(key, value: ObjectCodec.encode(obj))
            obj[path: ["metadata", "resourceVersion"]] = .string(String(rev))
            return (obj, warnings)
        } catch StoreError.alreadyExists {
            services.release(allocation)
            if !generateName.isEmpty && body[path: ["metadata", "name"]]?.string ?? "" == "" {
                // A generated name collided: upstream answers 409 too, but a retry by the
                // caller would pick another suffix; do that here once.
                var retry = body
                retry[path: ["metadata", "name"]] = nil
                let (o, w) = try await create(r, namespace: namespace, object: retry, dryRun: dryRun, fieldValidation: fieldValidation)
                warnings += w
                return (o, warnings)
            }
            throw APIError.alreadyExists(r, name)
        } catch {
            services.release(allocation)
            throw error
        }
    }

    // MARK: update

    /// Reads the current object, lets `transform` compute the new one, and writes
    /// it with compare-and-swap; retries on a concurrent change unless the caller
    /// pinned a resourceVersion (then the conflict is the caller's to resolve).
    public func guaranteedUpdate(_ r: ResourceInfo, namespace: String?, name: String, dryRun: Bool,
                                 transform: (JSON) throws -> (JSON, pinnedRevision: Bool)) async throws -> JSON {
        let key = r.key(namespace: namespace, name: name)
        for _ in 0..<16 {
            guard let kv = try await backend.get(key) else { throw APIError.notFound(r, name) }
            let old = try ObjectCodec.decode(kv)
            var (new, pinned) = try transform(old)
            if let rv = ObjectCodec.revision(of: new), pinned, rv != kv.modRevision {
                throw APIError.staleResourceVersion(r, name)
            }
            var allocation = ServiceAllocator.Allocation()
            if Self.isService(r) {
                try await services.load(backend)
                allocation = try services.allocate(&new, old: old, r)
            }
            do {
                try finishUpdate(&new, old: old, r)
            } catch {
                services.release(allocation)
                throw error
            }
            if equalIgnoringRevision(new, old) || dryRun {
                services.release(allocation)
                return dryRun ? new : old
            }
            if new[path: ["metadata", "deletionTimestamp"]] != nil,
               (new[path: ["metadata", "finalizers"]]?.array ?? []).isEmpty,
               !KindRules.waitsForGracefulDeletion(new, r) {
                // The last finalizer went away from an object being deleted: delete it now.
                do {
                    let gone = try await backend.delete(key, expectedRevision: kv.modRevision)
                    if Self.isService(r) { services.release(allocation); services.release(service: old) }
                    return try ObjectCodec.decode(gone)
                } catch StoreError.conflict {
                    services.release(allocation)
                    if pinned { throw APIError.staleResourceVersion(r, name) }
                    continue
                }
            }
            do {
                let rev = try await backend.update(key, value: ObjectCodec.encode(new), expectedRevision: kv.modRevision)
                new[path: ["metadata", "resourceVersion"]] = .string(String(rev))
                if Self.isService(r) { services.releaseDropped(old: old, new: new) }
                return new
            } catch StoreError.conflict {
                services.release(allocation)
                if pinned { throw APIError.staleResourceVersion(r, name) }
                continue
            } catch StoreError.notFound {
                services.release(allocation)
                throw APIError.notFound(r, name)
            }
        }
        throw APIError.conflict(r, name, "too many concurrent updates; try again")
    }

    /// A PUT of the whole object (or of its status subresource).
    public func update(_ r: ResourceInfo, namespace: String?, name: String, object body: JSON, subresource: String?,
                       dryRun: Bool, fieldValidation: FieldValidation = .warn,
                       duplicates: DuplicateKeys = DuplicateKeys()) async throws -> (JSON, warnings: [String]) {
        var incoming = body
        try checkTypeMeta(&incoming, r)
        let warnings = try applyFieldValidation(&incoming, r, fieldValidation, duplicates: duplicates)
        if let n = incoming[path: ["metadata", "name"]]?.string, n != name {
            throw APIError.badRequest("the name of the object (\(n)) does not match the name on the URL (\(name))")
        }
        if r.namespaced, let ns = incoming[path: ["metadata", "namespace"]]?.string, !ns.isEmpty, ns != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let pinned = ObjectCodec.revision(of: incoming) != nil
        let result = try await guaranteedUpdate(r, namespace: namespace, name: name, dryRun: dryRun) { old in
            (KindRules.merge(incoming: incoming, old: old, subresource: subresource, r), pinned)
        }
        return (result, warnings)
    }

    /// Keeps what clients may not change, bumps generation, defaults and validates.
    func finishUpdate(_ new: inout JSON, old: JSON, _ r: ResourceInfo) throws {
        for k in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            new[path: ["metadata", k]] = old[path: ["metadata", k]]
        }
        new[path: ["metadata", "namespace"]] = old[path: ["metadata", "namespace"]]
        new[path: ["metadata", "name"]] = old[path: ["metadata", "name"]]
        new[path: ["metadata", "selfLink"]] = nil
        if new["kind"] == nil { new["kind"] = old["kind"] }
        if new["apiVersion"] == nil { new["apiVersion"] = old["apiVersion"] }
        if old[path: ["metadata", "deletionTimestamp"]] != nil {
            // Upstream: once deletion started, finalizers may only be removed.
            let oldF = Set((old[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string))
            let newF = (new[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string)
            if let added = newF.first(where: { !oldF.contains($0) }) {
                throw APIError.invalidField(r, old[path: ["metadata", "name"]]?.string ?? "", field: "metadata.finalizers",
                                            reason: "FieldValueForbidden",
                                            detail: "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"\(added)\"}")
            }
        }
        KindRules.normalize(&new, r)
        admission.applyDefaults(&new, resource: r)
        if r.tracksGeneration, KindRules.specChanged(new, old) {
            new[path: ["metadata", "generation"]] = .int((old[path: ["metadata", "generation"]]?.int ?? 0) + 1)
        }
        if let e = admission.validate(new, old: old, resource: r) { throw e }
    }

    func equalIgnoringRevision(_ a: JSON, _ b: JSON) -> Bool {
        var x = a, y = b
        x[path: ["metadata", "resourceVersion"]] = nil
        y[path: ["metadata", "resourceVersion"]] = nil
        return x == y
    }

    // MARK: delete

    public struct DeleteOutcome: Sendable {
        /// The object as it is now (being deleted) or as it was (deleted).
        public var object: JSON
        /// False when deletion waits on finalizers or a grace period.
        public var deletedNow: Bool
    }

    public func delete(_ r: ResourceInfo, namespace: String?, name: String, options: DeleteOptions,
                       dryRun: Bool) async throws -> DeleteOutcome {
        let key = r.key(namespace: namespace, name: name)
        for _ in 0..<16 {
            guard let kv = try await backend.get(key) else { throw APIError.notFound(r, name) }
            var obj = try ObjectCodec.decode(kv)
            if let uid = options.preconditionUID, uid != obj[path: ["metadata", "uid"]]?.string {
                throw APIError.conflict(r, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(obj[path: ["metadata", "uid"]]?.string ?? "")")
            }
            if let rv = options.preconditionResourceVersion, rv != String(kv.modRevision) {
                throw APIError.conflict(r, name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in meta: \(kv.modRevision)")
            }
            var finalizers = (obj[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string)
            switch options.propagationPolicy {
            case "Orphan": if !finalizers.contains("orphan") { finalizers.append("orphan") }
            case "Foreground": if !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
            default: break
            }
            let grace = KindRules.gracePeriod(obj, r, requested: options.gracePeriodSeconds)
            let alreadyDeleting = obj[path: ["metadata", "deletionTimestamp"]] != nil
            if finalizers.isEmpty && grace == 0 && !KindRules.waitsOnDelete(obj, r) {
                if dryRun { return DeleteOutcome(object: obj, deletedNow: true) }
                do {
                    let gone = try await backend.delete(key, expectedRevision: kv.modRevision)
                    if Self.isService(r) { services.release(service: obj) }
                    return DeleteOutcome(object: try ObjectCodec.decode(gone), deletedNow: true)
                } catch StoreError.conflict { continue } catch StoreError.notFound { throw APIError.notFound(r, name) }
            }
            // Deletion must wait: mark the object and let finalizers / the node finish it.
            let now = Timestamp.now()
            if !alreadyDeleting || grace < (obj[path: ["metadata", "deletionGracePeriodSeconds"]]?.int ?? Int64.max) {
                obj[path: ["metadata", "deletionTimestamp"]] = .string(now.adding(seconds: grace).rfc3339)
                obj[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
            }
            obj[path: ["metadata", "finalizers"]] = finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) })
            KindRules.markTerminating(&obj, r)
            if dryRun { return DeleteOutcome(object: obj, deletedNow: false) }
            do {
                let rev = try await backend.update(key, value: ObjectCodec.encode(obj), expectedRevision: kv.modRevision)
                obj[path: ["metadata", "resourceVersion"]] = .string(String(rev))
                return DeleteOutcome(object: obj, deletedNow: false)
            } catch StoreError.conflict { continue } catch StoreError.notFound { throw APIError.notFound(r, name) }
        }
        throw APIError.conflict(r, name, "too many concurrent updates; try again")
    }

    // MARK: helpers

    func checkTypeMeta(_ obj: inout JSON, _ r: ResourceInfo) throws {
        guard obj.object != nil else {
            throw APIError.badRequest("the body of the request must be a \(r.kind) object, got \(obj.typeName)")
        }
        let kind = obj["kind"]?.string ?? ""
        let apiVersion = obj["apiVersion"]?.string ?? ""
        if !kind.isEmpty && kind != r.kind {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(r.apiVersion))"
                .replacingKindMismatch(kind: kind, expected: r))
        }
        if !apiVersion.isEmpty && apiVersion != r.apiVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(r.apiVersion))")
        }
        if let m = obj["metadata"], m.object == nil, !m.isNull {
            throw APIError.badRequest("metadata must be an object, got \(m.typeName)")
        }
        obj["kind"] = .string(r.kind)
        obj["apiVersion"] = .string(r.apiVersion)
    }

    /// Where a body being checked came from: decode errors read differently for a patch result.
    enum DecodeSource {
        case body
        /// The object a patch produced (upstream reports its decode errors as an invalid `patch`).
        case patch
    }

    /// Typed decoding as upstream's: a value its field's type cannot hold is refused
    /// whatever the mode; fields the types do not define and repeated keys are refused
    /// under Strict, reported under Warn, and the unknown fields dropped.
    /// Refuses a body whose values its types cannot hold (the check that comes before any admission).
    func refuseUndecodable(_ obj: JSON, _ r: ResourceInfo) throws {
        if let typeError = admission.checkDecoding(obj, resource: r).typeError {
            throw Self.decodeError(typeError, kind: r.kind, version: r.version, obj, .body)
        }
    }

    /// Upstream's answer to a decoding error: 400 for a request body, an invalid `patch` (422) for a patch's result.
    static func decodeError(_ typeError: String, kind: String, version: String, _ obj: JSON, _ source: DecodeSource) -> APIError {
        switch source {
        case .body:
            return APIError.badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(kind): \(typeError)")
        case .patch:
            let detail = "Invalid value: \(JSONSerializer.string(.string(JSONSerializer.string(obj)))): \(typeError)"
            return APIError(code: 422, reason: "Invalid", message: " \"\" is invalid: patch: \(detail)",
                            details: .init(causes: [.init(reason: "FieldValueInvalid", message: detail, field: "patch")]))
        }
    }

    /// `preceding` are findings about a patch document itself, reported first as upstream does.
    func applyFieldValidation(_ obj: inout JSON, _ r: ResourceInfo, _ mode: FieldValidation,
                              duplicates: DuplicateKeys = DuplicateKeys(), source: DecodeSource = .body,
                              preceding: [String] = []) throws -> [String] {
        let report = admission.checkDecoding(obj, resource: r)
        if let typeError = report.typeError { throw Self.decodeError(typeError, kind: r.kind, version: r.version, obj, source) }
        let findings = Array((preceding + StrictDecodingErrors.list(unknown: report.unknownFields, duplicates: duplicates))
            .prefix(StrictDecodingErrors.limit))
        if !report.unknownFields.isEmpty && mode != .strict { admission.pruneUnknownFields(&obj, resource: r) }
        if findings.isEmpty { return [] }
        switch mode {
        case .strict:
            let text = "strict decoding error: " + findings.joined(separator: ", ")
            switch source {
            case .body: throw APIError.badRequest("\(r.kind) in version \"\(r.version)\" cannot be handled as a \(r.kind): \(text)")
            case .patch: throw APIError.badRequest(text)
            }
        case .warn:
            return findings
        case .ignore:
            return []
        }
    }

    func checkNamespaceAcceptsWrites(_ namespace: String, _ r: ResourceInfo, _ name: String) async throws {
        let nsInfo = ResourceRegistry.lookup(group: "", version: "v1", plural: "namespaces")!
        guard let kv = try await backend.get(nsInfo.key(namespace: nil, name: namespace)) else {
            throw APIError(code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
                           details: .init(name: namespace, kind: "namespaces"))
        }
        let ns = try ObjectCodec.decode(kv)
        if ns[path: ["metadata", "deletionTimestamp"]] != nil || ns[path: ["status", "phase"]]?.string == "Terminating" {
            throw APIError.forbidden("\(r.qualifiedName) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated", r, name)
        }
    }

    func mapStoreErrors<T>(_ r: ResourceInfo, _ name: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as StoreError {
            switch e {
            case .notFound: throw APIError.notFound(r, name)
            case .alreadyExists: throw APIError.alreadyExists(r, name)
            case .conflict: throw APIError.staleResourceVersion(r, name)
            default: throw APIError.internalError("\(e)")
            }
        }
    }
}

public enum FieldValidation: String, Sendable {
    case strict = "Strict", warn = "Warn", ignore = "Ignore"
}

extension String {
    fileprivate func replacingKindMismatch(kind: String, expected: ResourceInfo) -> String {
        "the kind in the data (\(kind)) does not match the expected kind (\(expected.kind))"
    }
}
