import EdgeAPI

/// core/v1 Namespaces: created Active with the `kubernetes` finalizer,
/// deleted by marking them Terminating until the namespace finalizer has
/// emptied them and released the finalizer (`finalize` subresource).
public struct NamespaceStrategy: ResourceStrategy {
    public let resource = BuiltinResources.namespaces
    public init() {}

    public var nameRule: NameRule { .dns1123Label }

    public func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext) {
        obj["status"] = ["phase": "Active"]
        if obj[path: ["spec", "finalizers"]] == nil { obj[path: ["spec", "finalizers"]] = ["kubernetes"] }
    }

    public func prepareForUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext) {
        guard ctx.subresource == "finalize" else {
            return StatusSplit.apply(&new, old: old, subresource: ctx.subresource, hasStatus: true)
        }
        // finalize changes spec.finalizers and nothing else.
        var out = old
        out[path: ["spec", "finalizers"]] = new[path: ["spec", "finalizers"]]
        out[path: ["metadata", "resourceVersion"]] = new[path: ["metadata", "resourceVersion"]]
        new = out
    }

    public func waitsForGracefulDeletion(_ obj: JSON) -> Bool { hasFinalizers(obj) }
    public func waitsOnDelete(_ obj: JSON) -> Bool { hasFinalizers(obj) }
    public func markTerminating(_ obj: inout JSON) { obj[path: ["status", "phase"]] = "Terminating" }
    public var returnsDeletedObject: Bool { true }

    public var tableColumns: [TableColumn] { TableColumns.namespaces }
    public var selectableFields: [String] { ["status.phase"] }

    func hasFinalizers(_ obj: JSON) -> Bool { !(obj[path: ["spec", "finalizers"]]?.array ?? []).isEmpty }
}
