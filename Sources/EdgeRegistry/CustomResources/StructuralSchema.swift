import EdgeAPI

/// One node of a CustomResourceDefinition's OpenAPI v3 schema, read once when
/// the definition is registered: what validation, defaulting, pruning, the
/// OpenAPI documents and (with server-side apply) list and map merging need.
/// The x-kubernetes-list-type, -list-map-keys and -map-type markers are kept
/// here for the apply merge; `raw` is the node as the definition wrote it.
public final class StructuralSchema: Sendable {
    public enum AdditionalProperties: Sendable {
        /// Not given: no fields besides `properties` (they are pruned unless unknown fields are preserved).
        case unspecified
        /// `additionalProperties: true|false`.
        case allowed(Bool)
        /// A map whose values follow this schema.
        case schema(StructuralSchema)
    }

    public let type: String
    /// In the order the definition lists them.
    public let propertyNames: [String]
    public let properties: [String: StructuralSchema]
    public let items: StructuralSchema?
    public let additionalProperties: AdditionalProperties
    public let required: [String]
    public let enumValues: [JSON]?
    public let pattern: String?
    public let format: String?
    public let minimum: Double?
    public let maximum: Double?
    public let exclusiveMinimum: Bool
    public let exclusiveMaximum: Bool
    public let multipleOf: Double?
    public let minLength: Int64?
    public let maxLength: Int64?
    public let minItems: Int64?
    public let maxItems: Int64?
    public let minProperties: Int64?
    public let maxProperties: Int64?
    public let uniqueItems: Bool
    public let nullable: Bool
    public let defaultValue: JSON?
    public let description: String?
    public let preserveUnknownFields: Bool
    public let intOrString: Bool
    public let embeddedResource: Bool
    /// `atomic`, `set` or `map` (arrays); nil when unset (upstream treats that as atomic).
    public let listType: String?
    public let listMapKeys: [String]
    /// `atomic` or `granular` (objects).
    public let mapType: String?
    /// x-kubernetes-validations rules: stored and published, not evaluated (no CEL evaluator here).
    public let validations: [JSON]
    public let allOf: [StructuralSchema]
    public let anyOf: [StructuralSchema]
    public let oneOf: [StructuralSchema]
    public let not: StructuralSchema?
    public let raw: JSON

    public init(_ json: JSON) {
        raw = json
        let o = json.object ?? JSONObject()
        type = o["type"]?.string ?? ""
        var names: [String] = []
        var props: [String: StructuralSchema] = [:]
        if let p = o["properties"]?.object {
            for (k, v) in p {
                names.append(k)
                props[k] = StructuralSchema(v)
            }
        }
        propertyNames = names
        properties = props
        items = o["items"].flatMap { $0.object != nil ? StructuralSchema($0) : nil }
        switch o["additionalProperties"] {
        case .bool(let b)?: additionalProperties = .allowed(b)
        case .object?: additionalProperties = .schema(StructuralSchema(o["additionalProperties"]!))
        default: additionalProperties = .unspecified
        }
        required = (o["required"]?.array ?? []).compactMap(\.string)
        enumValues = o["enum"]?.array
        pattern = o["pattern"]?.string
        format = o["format"]?.string
        minimum = o["minimum"]?.double
        maximum = o["maximum"]?.double
        exclusiveMinimum = o["exclusiveMinimum"]?.bool ?? false
        exclusiveMaximum = o["exclusiveMaximum"]?.bool ?? false
        multipleOf = o["multipleOf"]?.double
        minLength = o["minLength"]?.int
        maxLength = o["maxLength"]?.int
        minItems = o["minItems"]?.int
        maxItems = o["maxItems"]?.int
        minProperties = o["minProperties"]?.int
        maxProperties = o["maxProperties"]?.int
        uniqueItems = o["uniqueItems"]?.bool ?? false
        nullable = o["nullable"]?.bool ?? false
        defaultValue = o["default"]
        description = o["description"]?.string
        preserveUnknownFields = o["x-kubernetes-preserve-unknown-fields"]?.bool ?? false
        intOrString = o["x-kubernetes-int-or-string"]?.bool ?? false
        embeddedResource = o["x-kubernetes-embedded-resource"]?.bool ?? false
        listType = o["x-kubernetes-list-type"]?.string
        listMapKeys = (o["x-kubernetes-list-map-keys"]?.array ?? []).compactMap(\.string)
        mapType = o["x-kubernetes-map-type"]?.string
        validations = o["x-kubernetes-validations"]?.array ?? []
        allOf = (o["allOf"]?.array ?? []).map(StructuralSchema.init)
        anyOf = (o["anyOf"]?.array ?? []).map(StructuralSchema.init)
        oneOf = (o["oneOf"]?.array ?? []).map(StructuralSchema.init)
        not = o["not"].map(StructuralSchema.init)
    }

    /// The schema of a field of this object: a declared property, else the additionalProperties schema.
    public func field(_ name: String) -> StructuralSchema? {
        if let p = properties[name] { return p }
        if case .schema(let s) = additionalProperties { return s }
        return nil
    }

    /// Whether any node below (or this one) carries x-kubernetes-validations.
    public var hasValidationRules: Bool {
        if !validations.isEmpty { return true }
        if properties.values.contains(where: \.hasValidationRules) { return true }
        if items?.hasValidationRules == true { return true }
        if case .schema(let s) = additionalProperties, s.hasValidationRules { return true }
        return false
    }
}
