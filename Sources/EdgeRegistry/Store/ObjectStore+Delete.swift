import EdgeAPI
import EdgeStore

/// What a DELETE did.
public struct DeleteOutcome: Sendable {
    /// The object as it is now (being deleted) or as it was (deleted).
    public var object: JSON
    /// False when deletion waits on finalizers or a grace period.
    public var deletedNow: Bool
}

extension ObjectStore {
    /// Deletes an object, or marks it for deletion when finalizers, a grace period or the strategy
    /// make it wait. Admission judges the stored object inside the compare-and-swap loop, so the
    /// object judged is the object deleted.
    public func delete(_ r: ResourceInfo, namespace: String?, name: String, options: DeleteOptions,
                       context ctx: WriteContext) async throws -> DeleteOutcome {
        let strategy = try catalog.strategy(for: r)
        let ctx = ctx.with(dryRun: ctx.dryRun || options.dryRun)
        let key = r.key(namespace: namespace, name: name)
        for _ in 0..<16 {
            guard let kv = try await backend.get(key) else { throw APIError.notFound(r, name) }
            var obj = try ObjectCodec.decode(kv)
            strategy.convertFromStorage(&obj)
            if let uid = options.preconditionUID, uid != obj[path: ["metadata", "uid"]]?.string {
                throw APIError.conflict(r, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(obj[path: ["metadata", "uid"]]?.string ?? "")")
            }
            if let rv = options.preconditionResourceVersion, rv != String(kv.modRevision) {
                throw APIError.conflict(r, name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in meta: \(kv.modRevision)")
            }
            var request = AdmissionRequest(operation: .delete, resource: r, namespace: namespace, name: name, object: nil,
                                           oldObject: obj, context: ctx)
            try await admission.admit(&request, self)
            try await admission.validate(request, self)
            var finalizers = (obj[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string)
            switch options.propagationPolicy {
            case "Orphan": if !finalizers.contains("orphan") { finalizers.append("orphan") }
            case "Foreground": if !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
            default: break
            }
            let grace = strategy.gracePeriod(obj, requested: options.gracePeriodSeconds)
            let alreadyDeleting = obj[path: ["metadata", "deletionTimestamp"]] != nil
            if finalizers.isEmpty && grace == 0 && !strategy.waitsOnDelete(obj) {
                if ctx.dryRun { return DeleteOutcome(object: obj, deletedNow: true) }
                do {
                    var gone = try ObjectCodec.decode(try await backend.delete(key, expectedRevision: kv.modRevision))
                    strategy.convertFromStorage(&gone)
                    await strategy.afterDelete(gone, self)
                    return DeleteOutcome(object: gone, deletedNow: true)
                } catch StoreError.conflict { continue } catch StoreError.notFound { throw APIError.notFound(r, name) }
            }
            // Deletion must wait: mark the object and let finalizers / the node finish it.
            let now = Timestamp.now()
            if !alreadyDeleting || grace < (obj[path: ["metadata", "deletionGracePeriodSeconds"]]?.int ?? Int64.max) {
                obj[path: ["metadata", "deletionTimestamp"]] = .string(now.adding(seconds: grace).rfc3339)
                obj[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
            }
            obj[path: ["metadata", "finalizers"]] = finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) })
            strategy.markTerminating(&obj)
            if ctx.dryRun { return DeleteOutcome(object: obj, deletedNow: false) }
            do {
                let rev = try await backend.update(key, value: ObjectCodec.encode(obj), expectedRevision: kv.modRevision)
                obj[path: ["metadata", "resourceVersion"]] = .string(String(rev))
                return DeleteOutcome(object: obj, deletedNow: false)
            } catch StoreError.conflict { continue } catch StoreError.notFound { throw APIError.notFound(r, name) }
        }
        throw APIError.conflict(r, name, "too many concurrent updates; try again")
    }
}
