import EdgeAPI

/// The strategy of one served version of a custom resource, built from its
/// CustomResourceDefinition (upstream's customResourceStrategy): typed
/// decoding is the structural schema's pruning (what strict field validation
/// calls unknown), then defaulting, validation against the schema, the status
/// and scale subresources, printer columns and selectable fields. Objects are
/// stored in the definition's storage version; with conversion None a read
/// through another served version only changes apiVersion.
public struct CustomResourceStrategy: ResourceStrategy {
    public let resource: ResourceInfo
    /// The version's structural schema (x-kubernetes-list-type, -list-map-keys and -map-type
    /// included): what validation, defaulting, pruning and server-side apply's merge read.
    public let schema: StructuralSchema
    public let storageVersion: String
    public let definitionName: String
    let version: CustomResourceDefinition.Version
    let listKind: String
    let columns: [TableColumn]
    let scaleSubresource: ScaleSubresource?
    /// False while the definition is being deleted: objects may be read and deleted, not created.
    public let acceptsCreates: Bool

    public init(definition crd: CustomResourceDefinition, version: CustomResourceDefinition.Version, names: CustomResourceDefinition.Names) {
        var subresources: [String] = []
        if version.hasStatus { subresources.append("status") }
        if version.scale != nil { subresources.append("scale") }
        resource = ResourceInfo(group: crd.group, version: version.name, kind: names.kind, plural: names.plural, singular: names.singular,
                                namespaced: crd.namespaced, shortNames: names.shortNames, categories: names.categories,
                                subresources: subresources, listKind: names.listKind)
        schema = StructuralSchema(version.schemaJSON ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true])
        storageVersion = crd.storageVersion ?? version.name
        definitionName = crd.name
        self.version = version
        listKind = names.listKind
        columns = Self.columns(version.printerColumns)
        scaleSubresource = version.scale.flatMap { s in
            guard let spec = CustomResourceDefinition.dottedPath(s.specReplicasPath),
                  let status = CustomResourceDefinition.dottedPath(s.statusReplicasPath) else { return nil }
            let selector = s.labelSelectorPath.flatMap(CustomResourceDefinition.dottedPath)
            return ScaleSubresource(specReplicasPath: spec, statusReplicasPath: status) { obj in
                selector.flatMap { obj[path: $0]?.string } ?? ""
            }
        }
        acceptsCreates = !crd.deleting
    }

    // MARK: decoding

    public func checkDecoding(_ obj: JSON) -> DecodeReport {
        var report = MetadataDecoding.check(obj)
        report.unknownFields += SchemaPruner.unknownFields(obj, schema)
        return report
    }

    public func pruneUnknownFields(_ obj: inout JSON) {
        MetadataDecoding.prune(&obj)
        SchemaPruner.prune(&obj, schema)
    }
    public var patchSchema: (any PatchSchemaNode)? { nil }
    /// Upstream serves custom resources without strategic merge patch (415), and says so in OpenAPI.
    public var supportsStrategicMerge: Bool { false }
    /// Server-side apply merges lists by the schema's x-kubernetes-list-type / -list-map-keys / -map-type.
    public var applySchema: (any TypeSchemaNode)? {
        OpenAPITypeSchema(version.schemaJSON ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true], root: true)
    }
    public func applyDefaults(_ obj: inout JSON) { SchemaDefaulter.apply(&obj, schema) }

    public func convertFromStorage(_ obj: inout JSON) {
        if obj["apiVersion"]?.string != resource.apiVersion { obj["apiVersion"] = .string(resource.apiVersion) }
    }

    /// Conversion None changes only apiVersion: an object stored with this version's
    /// (read at the storage version, and written since it became so) is served as stored.
    public var storedForm: StoredForm { .servedAsStoredWithAPIVersion(resource.apiVersion) }

    // MARK: writes

    public var tracksGeneration: Bool { true }

    /// Upstream's answer while the definition is being deleted.
    public func beginCreate(_ obj: inout JSON, _ ctx: WriteContext, _ store: ObjectStore) async throws -> WriteFinisher? {
        guard acceptsCreates else {
            throw APIError(code: 405, reason: "MethodNotAllowed", message: "create not allowed while custom resource definition is terminating")
        }
        return nil
    }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] {
        var errs = SchemaValidator.validate(obj, schema)
        if let scale = scaleSubresource, let v = obj[path: scale.specReplicasPath], !v.isNull {
            if let n = v.int, n < 0 || n > Int64(Int32.max) {
                errs.append(.invalid(scale.specReplicasPath.joined(separator: "."), v, "should be in the range 0 to 2147483647"))
            }
        }
        return errs
    }

    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] { validate(new, ctx) }

    /// Stored in the storage version, as upstream's conversion to the storage version does.
    public func canonicalize(_ obj: inout JSON) {
        obj["apiVersion"] = .string(resource.group + "/" + storageVersion)
    }

    public func warnings(_ obj: JSON, old: JSON?) -> [String] {
        guard version.deprecated else { return [] }
        return [version.deprecationWarning ?? "\(resource.apiVersion) \(resource.kind) is deprecated"]
    }

    // MARK: reads

    public var tableColumns: [TableColumn] { columns }
    public var selectableFields: [String] { version.selectableFields }
    public var scale: ScaleSubresource? { scaleSubresource }
    public var openAPI: ResourceOpenAPI {
        let name = CustomResourceOpenAPI.definitionName(resource)
        let r = resource
        let schema = self.schema
        let listKind = listKind
        return .custom(schemaName: name) { prefix in CustomResourceOpenAPI.definitions(r, listKind: listKind, schema: schema, refPrefix: prefix) }
    }

    /// Name, the definition's columns (date columns as ages, as upstream's convertor), or Name and Age without any.
    static func columns(_ defs: [CustomResourceDefinition.PrinterColumn]) -> [TableColumn] {
        if defs.isEmpty { return TableColumns.standard }
        var out: [TableColumn] = [.name]
        for c in defs {
            guard let path = SimpleJSONPath(c.jsonPath) else { continue }
            let type = c.type
            out.append(TableColumn(c.name, type: type == "date" ? "date" : type, format: c.format, priority: c.priority,
                                   description: c.description) { obj, now in
                guard let v = path.evaluate(obj).first, !v.isNull else { return .null }
                switch type {
                case "date": return .string(HumanDuration.since(v.string, now: now))
                case "integer": return v.int.map { .int($0) } ?? .null
                case "number": return v.double.map { .double($0) } ?? .null
                case "boolean": return v.bool.map { .bool($0) } ?? .null
                default: return .string(v.string ?? JSONSerializer.string(v))
                }
            })
        }
        return out
    }
}
