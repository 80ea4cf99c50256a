import EdgeAPI

/// apiextensions.k8s.io/v1 CustomResourceDefinitions: upstream's defaults
/// (singular and listKind from the kind, conversion None), validation
/// (CustomResourceDefinitionValidator), and warnings for what this server
/// stores but does not run. Its status (NamesAccepted, Established,
/// acceptedNames, storedVersions) is the CustomResourceDefinitionController's;
/// a delete waits for that controller to delete the custom objects.
public struct CustomResourceDefinitionStrategy: ResourceStrategy {
    public let resource = BuiltinResources.customResourceDefinitions
    public static let cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"
    public init() {}

    public var tracksGeneration: Bool { true }

    /// There is no wire type for the definition here: its ObjectMeta is decoded as upstream's.
    public func checkDecoding(_ obj: JSON) -> DecodeReport { MetadataDecoding.check(obj) }
    public func pruneUnknownFields(_ obj: inout JSON) { MetadataDecoding.prune(&obj) }

    public func applyDefaults(_ obj: inout JSON) {
        guard obj["spec"]?.object != nil else { return }
        let kind = obj[path: ["spec", "names", "kind"]]?.string ?? ""
        if obj[path: ["spec", "names"]]?.object != nil {
            if (obj[path: ["spec", "names", "singular"]]?.string ?? "").isEmpty, !kind.isEmpty {
                obj[path: ["spec", "names", "singular"]] = .string(kind.lowercased())
            }
            if (obj[path: ["spec", "names", "listKind"]]?.string ?? "").isEmpty, !kind.isEmpty {
                obj[path: ["spec", "names", "listKind"]] = .string(kind + "List")
            }
        }
        if obj[path: ["spec", "conversion"]]?.object == nil { obj[path: ["spec", "conversion"]] = ["strategy": "None"] }
    }

    public func prepareForCreate(_ obj: inout JSON, _ ctx: WriteContext) {
        obj["status"] = ["conditions": [], "acceptedNames": ["plural": "", "kind": ""], "storedVersions": []]
    }

    public func validate(_ obj: JSON, _ ctx: WriteContext) -> [FieldError] { CustomResourceDefinitionValidator.validate(obj) }

    public func validateUpdate(_ new: JSON, old: JSON, _ ctx: WriteContext) -> [FieldError] {
        if ctx.subresource == "status" { return [] }
        return CustomResourceDefinitionValidator.validateUpdate(new, old: old)
    }

    public func warnings(_ obj: JSON, old: JSON?) -> [String] { CustomResourceDefinitionValidator.warnings(obj) }

    /// A definition goes only after its objects: the controller deletes them, then drops the finalizer.
    public func waitsOnDelete(_ obj: JSON) -> Bool { true }

    public func markTerminating(_ obj: inout JSON) {
        var finalizers = obj[path: ["metadata", "finalizers"]]?.array ?? []
        if !finalizers.contains(.string(Self.cleanupFinalizer)) { finalizers.append(.string(Self.cleanupFinalizer)) }
        obj[path: ["metadata", "finalizers"]] = .array(finalizers)
    }

    public var openAPI: ResourceOpenAPI {
        .custom(schemaName: CustomResourceDefinitionOpenAPI.name) { CustomResourceDefinitionOpenAPI.definitions(refPrefix: $0) }
    }

    public var tableColumns: [TableColumn] {
        [.name, TableColumn("Created At", type: "date", description: "The time the object was created.") { o, _ in
            o[path: ["metadata", "creationTimestamp"]] ?? .null
        }]
    }
}
