import EdgeAPI
import EdgeStore

extension ObjectStore {
    /// A server-side apply (PATCH `application/apply-patch+yaml`): the configuration is merged into
    /// the stored object by the type's list types, what the manager stopped applying goes, conflicts
    /// with other managers are a 409 unless `force`; an object that does not exist is created from the
    /// configuration. Returns the object and whether it was created.
    public func apply(_ r: ResourceInfo, namespace: String?, name: String, configuration body: JSON, force: Bool,
                      context: WriteContext) async throws -> (JSON, created: Bool, warnings: [String]) {
        let strategy = try catalog.strategy(for: r)
        var ctx = context
        ctx.isApply = true
        var config = try checkedConfiguration(body, r, name: name, namespace: namespace)
        let undeclared = UndeclaredFields.find(in: config, schema: strategy.applySchema)
        if !undeclared.isEmpty {
            // Upstream's typed conversion refuses these before fieldValidation is looked at (a 500 there).
            let detail = undeclared.count == 1 ? "\(undeclared[0]): field not declared in schema"
                : "errors:\n" + undeclared.map { "  \($0): field not declared in schema" }.joined(separator: "\n")
            throw APIError(code: 500, reason: "", message: "failed to create typed patch object (\(Self.objectText(r, name: name, namespace: namespace))): \(detail)")
        }
        let warnings = try applyFieldValidation(&config, strategy, ctx.fieldValidation, source: .patch)
        resetFields(&config, r, subresource: ctx.subresource)
        let key = r.key(namespace: namespace, name: name)
        let managerKey = ManagedFieldSets.Key(manager: ctx.fieldManager, operation: ManagedFieldSets.Key.apply,
                                              apiVersion: r.apiVersion, subresource: ctx.subresource ?? "")
        let schema = strategy.applySchema
        for _ in 0..<4 {
            guard try await backend.get(key) != nil else {
                guard ctx.subresource == nil else { throw APIError.notFound(r, name) }
                var managers = ManagedFieldSets()
                var obj = try typed(r, name: name, namespace: namespace) {
                    try FieldOwnership.apply(live: nil, config: config, managers: &managers, key: managerKey, apiVersion: r.apiVersion,
                                             time: .string(Timestamp.now().rfc3339), force: force, schema: schema)
                }
                obj[path: ["metadata", "managedFields"]] = managers.json
                do {
                    // The create's own warnings (the strategy's, e.g. rules this server does not evaluate) follow.
                    let (created, createWarnings) = try await create(r, namespace: namespace, object: obj, context: ctx)
                    return (created, true, warnings + createWarnings.filter { !warnings.contains($0) })
                } catch let e as APIError where e.code == 409 && e.reason == "AlreadyExists" {
                    continue // created meanwhile: apply to it
                }
            }
            do {
                let pinned = config[path: ["metadata", "resourceVersion"]] != nil
                let updated = try await guaranteedUpdate(r, namespace: namespace, name: name, context: ctx) { live in
                    var stripped = live
                    stripped[path: ["metadata", "managedFields"]] = nil
                    var managers = ManagedFieldSets(live[path: ["metadata", "managedFields"]]) ?? ManagedFieldSets()
                    let kubectl = ctx.fieldManager == LastAppliedConfiguration.manager
                    let allowed = kubectl ? LastAppliedConfiguration.allowedConflicts(live: live, schema: schema) : FieldSet()
                    var merged = try typed(r, name: name, namespace: namespace) {
                        try FieldOwnership.apply(live: stripped, config: config, managers: &managers, key: managerKey,
                                                 apiVersion: r.apiVersion, time: .string(Timestamp.now().rfc3339), force: force,
                                                 schema: schema, allowedConflicts: allowed)
                    }
                    if kubectl, LastAppliedConfiguration.text(of: live) != nil {
                        merged[path: ["metadata", "annotations", LastAppliedConfiguration.annotation]] =
                            .string(LastAppliedConfiguration.build(from: body))
                    }
                    merged[path: ["metadata", "managedFields"]] = managers.json
                    return (merged, pinned)
                }
                return (updated, false, warnings + strategy.warnings(updated, old: nil))
            } catch let e as APIError where e.code == 404 && ctx.subresource == nil {
                continue // deleted meanwhile: create it
            }
        }
        throw APIError.conflict(r, name, "too many concurrent updates; try again")
    }

    /// Upstream's checks of an apply configuration: an object of the URL's kind and version,
    /// no managedFields, the URL's name and namespace.
    func checkedConfiguration(_ body: JSON, _ r: ResourceInfo, name: String, namespace: String?) throws -> JSON {
        guard body.object != nil else {
            throw APIError.badRequest("error decoding YAML: the apply configuration must be an object, got \(body.typeName)")
        }
        if body[path: ["metadata", "managedFields"]] != nil {
            throw APIError.badRequest("metadata.managedFields must be nil")
        }
        let apiVersion = body["apiVersion"]?.string ?? ""
        if apiVersion != r.apiVersion {
            throw APIError.badRequest("Incorrect version specified in apply patch. Specified patch version: \(apiVersion), expected: \(r.apiVersion)")
        }
        let kind = body["kind"]?.string ?? ""
        if kind != r.kind {
            throw APIError.badRequest(kind.isEmpty ? "Object 'Kind' is missing in apply patch"
                                                   : "the kind in the data (\(kind)) does not match the expected kind (\(r.kind))")
        }
        if let m = body["metadata"], m.object == nil {
            throw APIError.badRequest("metadata must be an object, got \(m.typeName)")
        }
        var config = body
        let sentName = body[path: ["metadata", "name"]]?.string ?? ""
        if sentName != name {
            throw APIError.badRequest("the name of the object (\(sentName)) does not match the name on the URL (\(name))")
        }
        if r.namespaced, let ns = body[path: ["metadata", "namespace"]]?.string, !ns.isEmpty, ns != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if r.namespaced, let namespace { config[path: ["metadata", "namespace"]] = .string(namespace) }
        return config
    }

    /// What this write may not set (upstream's reset fields): status on the object, everything but
    /// status (and metadata) on the status subresource.
    func resetFields(_ config: inout JSON, _ r: ResourceInfo, subresource: String?) {
        guard r.hasStatus, var o = config.object else { return }
        if subresource == "status" {
            for k in o.keys where !["apiVersion", "kind", "metadata", "status"].contains(k) { o[k] = nil }
        } else {
            o["status"] = nil
        }
        config = .object(o)
    }

    /// Conflicts as upstream's 409 with a cause per field; configurations whose lists cannot be keyed as upstream's error.
    func typed(_ r: ResourceInfo, name: String, namespace: String?, _ work: () throws -> JSON) throws -> JSON {
        do {
            return try work()
        } catch let c as FieldOwnership.Conflicts {
            throw APIError(code: 409, reason: "Conflict", message: c.message, details: .init(causes: c.items.map {
                .init(reason: "FieldManagerConflict", message: "conflict with \($0.manager.conflictText)", field: FieldSet.pathText($0.path))
            }))
        } catch let e as FieldSetBuilder.InvalidList {
            throw APIError(code: 500, reason: "", message: "failed to create typed patch object (\(Self.objectText(r, name: name, namespace: namespace))): \(e.message)")
        }
    }

    /// `ns/name; apps/v1, Kind=Deployment`, as upstream names the object in apply errors.
    static func objectText(_ r: ResourceInfo, name: String, namespace: String?) -> String {
        let object = r.namespaced ? "\(namespace ?? "")/\(name)" : "/\(name)"
        return "\(object); \(r.group.isEmpty ? "" : r.group + "/")\(r.version), Kind=\(r.kind)"
    }
}
