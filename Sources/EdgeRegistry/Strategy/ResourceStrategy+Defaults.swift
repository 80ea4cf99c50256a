import EdgeAPI

/// What a strategy does where its kind has nothing special: the built-in type
/// schema, DNS subdomain names, the status subresource split, deletion at
/// once, name and age columns.
extension ResourceStrategy {
    public func checkDecoding(_ obj: JSON) -> DecodeReport {
        guard let m = APISchema.shared.messageName(for: resource) else { return DecodeReport() }
        return APISchema.shared.checkDecoding(obj, message: m)
    }

    public func pruneUnknownFields(_ obj: inout JSON) {
        guard let m = APISchema.shared.messageName(for: resource) else { return }
        APISchema.shared.pruneUnknownFields(&obj, message: m)
    }

    public var patchSchema: (any PatchSchemaNode)? { APISchema.shared.patchNode(for: resource) }
    public var applySchema: (any TypeSchemaNode)? { BuiltinTypeSchema.root(for: resource) }

    public var supportsStrategicMerge: Bool { true }
    public func convertFromStorage(_ obj: inout JSON) {}
    public var storedForm: StoredForm { .servedAsStored }
    public func normalize(_ obj: inout JSON) {}
    public func applyDefaults(_ obj: inout JSON) {}

    public var nameRule: NameRule { .dns1123Subdomain }
    public var tracksGeneration: Bool { false }

    /// A new object's status is the controllers' to write: a create starts it empty.
    public func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext) {
        if resource.hasStatus { obj["status"] = .object(JSONObject()) }
    }

    public func prepareForUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext) {
        StatusSplit.apply(&new, old: old, subresource: ctx.subresource, hasStatus: resource.hasStatus)
    }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { [] }
    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] { validate(new, ctx) }
    public func canonicalize(_ obj: inout JSON) {}
    public func warnings(_ obj: JSON, old: JSON?) -> [String] { [] }

    public func beginCreate(_ obj: inout JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher? { nil }
    public func beginUpdate(_ new: inout JSON, old: JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher? { nil }

    public func gracePeriod(_ obj: JSON, requested: Int64?) -> Int64 { 0 }
    public func waitsForGracefulDeletion(_ obj: JSON) -> Bool { false }
    public func waitsOnDelete(_ obj: JSON) -> Bool { false }
    public func markTerminating(_ obj: inout JSON) {}
    public func afterDelete(_ obj: JSON, _ store: ObjectStore) async {}
    public var returnsDeletedObject: Bool { false }

    public var tableColumns: [TableColumn] { TableColumns.standard }
    public var selectableFields: [String] { [] }
    public var scale: ScaleSubresource? { nil }
    public var openAPI: ResourceOpenAPI { .builtin }

    /// Every path fieldSelector accepts.
    public var fieldSelectorPaths: [String] {
        (resource.namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"]) + selectableFields
    }
}
