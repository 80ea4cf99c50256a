import EdgeAPI
import EdgeStore

extension ObjectStore {
    /// A PUT of the whole object or of a subresource (`ctx.subresource`).
    public func update(_ r: ResourceInfo, namespace: String?, name: String, object body: JSON, context ctx: WriteContext,
                       duplicates: DuplicateKeys = DuplicateKeys()) async throws -> (JSON, warnings: [String]) {
        let strategy = try catalog.strategy(for: r)
        var incoming = body
        try checkTypeMeta(&incoming, r)
        let warnings = try applyFieldValidation(&incoming, strategy, ctx.fieldValidation, duplicates: duplicates)
        if let n = incoming[path: ["metadata", "name"]]?.string, n != name {
            throw APIError.badRequest("the name of the object (\(n)) does not match the name on the URL (\(name))")
        }
        if r.namespaced, let ns = incoming[path: ["metadata", "namespace"]]?.string, !ns.isEmpty, ns != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let pinned = ObjectCodec.revision(of: incoming) != nil
        let result = try await guaranteedUpdate(r, namespace: namespace, name: name, context: ctx) { _ in (incoming, pinned) }
        return (result, warnings + strategy.warnings(result, old: nil))
    }

    /// Reads the current object, lets `transform` compute the new one, and writes it with
    /// compare-and-swap; retries on a concurrent change unless the caller pinned a
    /// resourceVersion (then the conflict is the caller's to resolve). On the way the
    /// strategy prepares the object for the write's subresource, mutating admission runs,
    /// system metadata is kept, the strategy's BeginUpdate runs, generation is bumped,
    /// the object is validated and canonicalized, and validating admission runs.
    public func guaranteedUpdate(_ r: ResourceInfo, namespace: String?, name: String, context ctx: WriteContext,
                                 transform: (JSON) async throws -> (JSON, pinnedRevision: Bool)) async throws -> JSON {
        let strategy = try catalog.strategy(for: r)
        let key = r.key(namespace: namespace, name: name)
        for _ in 0..<16 {
            guard let kv = try await backend.get(key) else { throw APIError.notFound(r, name) }
            var old = try ObjectCodec.decode(kv)
            strategy.convertFromStorage(&old)
            var (new, pinned) = try await transform(old)
            if let rv = ObjectCodec.revision(of: new), pinned, rv != kv.modRevision {
                throw APIError.staleResourceVersion(r, name)
            }
            strategy.normalize(&new)
            strategy.applyDefaults(&new)
            strategy.prepareForUpdate(&new, old: old, ctx)
            try keepSystemMetadata(&new, old: old, r)
            var request = AdmissionRequest(operation: .update, resource: r, namespace: namespace, name: name, object: new,
                                           oldObject: old, context: ctx)
            try await admission.admit(&request, self)
            new = request.object ?? new
            let finish = try await strategy.beginUpdate(&new, old: old, ctx, self)
            do {
                if strategy.tracksGeneration, Self.specChanged(new, old) {
                    new[path: ["metadata", "generation"]] = .int((old[path: ["metadata", "generation"]]?.int ?? 0) &+ 1)
                }
                try managedFields.trackUpdate(&new, old: old, strategy, ctx)
                try validateUpdate(new, old: old, strategy, ctx)
                strategy.canonicalize(&new)
                request.object = new
                try await admission.validate(request, self)
                if Self.equalIgnoringRevision(new, old) || ctx.dryRun {
                    finish?(.abandoned)
                    return ctx.dryRun ? new : old
                }
                if new[path: ["metadata", "deletionTimestamp"]] != nil,
                   (new[path: ["metadata", "finalizers"]]?.array ?? []).isEmpty,
                   !strategy.waitsForGracefulDeletion(new) {
                    // The last finalizer went away from an object being deleted: delete it now.
                    var gone = try ObjectCodec.decode(try await backend.delete(key, expectedRevision: kv.modRevision))
                    strategy.convertFromStorage(&gone)
                    finish?(.deleted(gone))
                    await strategy.afterDelete(gone, self)
                    return gone
                }
                let rev = try await backend.update(key, value: ObjectCodec.encode(new), expectedRevision: kv.modRevision)
                new[path: ["metadata", "resourceVersion"]] = .string(String(rev))
                finish?(.stored(new))
                strategy.convertFromStorage(&new)
                return new
            } catch StoreError.conflict {
                finish?(.abandoned)
                if pinned { throw APIError.staleResourceVersion(r, name) }
                continue
            } catch StoreError.notFound {
                finish?(.abandoned)
                throw APIError.notFound(r, name)
            } catch {
                finish?(.abandoned)
                throw error
            }
        }
        throw APIError.conflict(r, name, "too many concurrent updates; try again")
    }

    /// What clients may not change: identity, timestamps, generation; and, once deletion started,
    /// finalizers may only be removed (as upstream).
    func keepSystemMetadata(_ new: inout JSON, old: JSON, _ r: ResourceInfo) throws {
        for k in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            new[path: ["metadata", k]] = old[path: ["metadata", k]]
        }
        new[path: ["metadata", "namespace"]] = old[path: ["metadata", "namespace"]]
        new[path: ["metadata", "name"]] = old[path: ["metadata", "name"]]
        new[path: ["metadata", "selfLink"]] = nil
        if new["kind"] == nil { new["kind"] = old["kind"] }
        if new["apiVersion"] == nil { new["apiVersion"] = old["apiVersion"] }
        guard old[path: ["metadata", "deletionTimestamp"]] != nil else { return }
        let oldF = Set((old[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string))
        let newF = (new[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string)
        if let added = newF.first(where: { !oldF.contains($0) }) {
            throw APIError.invalidField(r, old[path: ["metadata", "name"]]?.string ?? "", field: "metadata.finalizers",
                                        reason: "FieldValueForbidden",
                                        detail: "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"\(added)\"}")
        }
    }

    /// Whether anything but metadata and status changed (upstream bumps generation then).
    static func specChanged(_ new: JSON, _ old: JSON) -> Bool {
        var a = new, b = old
        for k in ["metadata", "status"] { a[k] = nil; b[k] = nil }
        return a != b
    }

    static func equalIgnoringRevision(_ a: JSON, _ b: JSON) -> Bool {
        var x = a, y = b
        x[path: ["metadata", "resourceVersion"]] = nil
        y[path: ["metadata", "resourceVersion"]] = nil
        return x == y
    }
}
