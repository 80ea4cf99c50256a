import EdgeAPI
import EdgeStore

extension ObjectStore {
    /// A create, in upstream's order: decode (type check, field validation, conversion, defaults),
    /// mutating admission, system metadata and name generation, the strategy's BeginCreate and
    /// PrepareForCreate, validation, Canonicalize, validating admission, then the store.
    public func create(_ r: ResourceInfo, namespace: String?, object body: JSON, context ctx: WriteContext,
                       duplicates: DuplicateKeys = DuplicateKeys()) async throws -> (JSON, warnings: [String]) {
        let strategy = try catalog.strategy(for: r)
        var obj = body
        try checkTypeMeta(&obj, r)
        var warnings = try applyFieldValidation(&obj, strategy, ctx.fieldValidation, duplicates: duplicates)
        strategy.normalize(&obj)
        strategy.applyDefaults(&obj)

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
        obj["metadata"] = .object(meta)
        let generateName = meta["generateName"]?.string ?? ""
        let sentName = meta["name"]?.string ?? ""
        var request = AdmissionRequest(operation: .create, resource: r, namespace: r.namespaced ? namespace : nil,
                                       name: sentName.isEmpty ? generateName : sentName, object: obj, context: ctx)
        try await admission.admit(&request, self)
        obj = request.object ?? obj
        warnings += request.warnings

        // System-owned metadata: clients cannot set these on create.
        meta = obj["metadata"]?.object ?? JSONObject()
        var name = meta["name"]?.string ?? ""
        if name.isEmpty && !generateName.isEmpty { name = Identifiers.generatedName(prefix: generateName) }
        if !name.isEmpty { meta["name"] = .string(name) }
        meta["uid"] = .string(Identifiers.uuid())
        meta["creationTimestamp"] = .string(Timestamp.now().rfc3339)
        meta["resourceVersion"] = nil
        meta["deletionTimestamp"] = nil
        meta["deletionGracePeriodSeconds"] = nil
        meta["selfLink"] = nil
        meta["generation"] = strategy.tracksGeneration ? 1 : nil
        obj["metadata"] = .object(meta)

        let finish = try await strategy.beginCreate(&obj, ctx, self)
        do {
            strategy.prepareForCreate(&obj, ctx)
            try managedFields.trackCreate(&obj, strategy, ctx)
            try validateCreate(obj, strategy, ctx)
            strategy.canonicalize(&obj)
            request.object = obj
            request.name = name
            try await admission.validate(request, self)
            warnings += strategy.warnings(obj, old: nil)
            if ctx.dryRun {
                finish?(.abandoned)
                strategy.convertFromStorage(&obj)
                return (obj, warnings)
            }
            let key = r.key(namespace: r.namespaced ? namespace ?? meta["namespace"]?.string : nil, name: name)
            let rev = try await backend.create(key, value: ObjectCodec.encode(obj))
            obj[path: ["metadata", "resourceVersion"]] = .string(String(rev))
            finish?(.stored(obj))
            strategy.convertFromStorage(&obj)
            return (obj, warnings)
        } catch StoreError.alreadyExists {
            finish?(.abandoned)
            if !generateName.isEmpty && sentName.isEmpty {
                // A generated name collided: upstream answers 409 too, but a retry by the
                // caller would pick another suffix; do that here once.
                var retry = body
                retry[path: ["metadata", "name"]] = nil
                let (o, w) = try await create(r, namespace: namespace, object: retry, context: ctx)
                warnings += w
                return (o, warnings)
            }
            throw APIError.alreadyExists(r, name)
        } catch {
            finish?(.abandoned)
            throw error
        }
    }
}
