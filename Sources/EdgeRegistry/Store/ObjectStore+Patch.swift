import EdgeAPI

extension ObjectStore {
    /// A PATCH (JSON, merge or strategic merge): applied to the stored object inside the
    /// compare-and-swap loop, the result decoded and field-validated as a body would be
    /// (findings about the patch document itself first), then written as an update.
    public func patch(_ r: ResourceInfo, namespace: String?, name: String, kind: PatchKind, document: JSON,
                      duplicates: DuplicateKeys = DuplicateKeys(), context ctx: WriteContext) async throws -> (JSON, warnings: [String]) {
        let strategy = try catalog.strategy(for: r)
        if kind == .json, let ops = document.array, ops.count > JSONPatch.maxOperations {
            throw APIError(code: 413, reason: "RequestEntityTooLarge",
                           message: "Request entity too large: The allowed maximum operations in a JSON patch is \(JSONPatch.maxOperations), got \(ops.count)")
        }
        let findings = PatchDocumentFindings.list(kind, document, duplicates: duplicates)
        let schema = strategy.patchSchema
        var warnings: [String] = []
        let result = try await guaranteedUpdate(r, namespace: namespace, name: name, context: ctx) { old in
            var patched = try PatchApplier.apply(kind, document, to: old, schema: schema)
            if patched[path: ["metadata", "name"]]?.string != name {
                throw APIError.badRequest("the name of the object (\(patched[path: ["metadata", "name"]]?.string ?? "")) does not match the name on the URL (\(name))")
            }
            warnings = try applyFieldValidation(&patched, strategy, ctx.fieldValidation, source: .patch, preceding: findings)
            // A patch that carries a resourceVersion is a precondition (as upstream).
            let pinned = document[path: ["metadata", "resourceVersion"]] != nil
                || (kind == .json && ObjectCodec.revision(of: patched) != ObjectCodec.revision(of: old))
            return (patched, pinned)
        }
        return (result, warnings + strategy.warnings(result, old: nil))
    }
}
