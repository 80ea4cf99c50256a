/// The apply view of an OpenAPI v3 schema (a CustomResourceDefinition's
/// structural schema): `properties`, `additionalProperties` and `items`, with
/// `x-kubernetes-list-type` / `-list-map-keys` / `-map-type`, and the
/// `default` of a map list's key fields. Fields the schema does not name
/// (`x-kubernetes-preserve-unknown-fields`) are deduced from their values.
/// Every object's presence is a field: a custom object has no struct that is
/// always there (as upstream's CRD field manager sees it).
public struct OpenAPITypeSchema: TypeSchemaNode {
    let schema: JSON
    let isRoot: Bool

    /// `root`: the schema of a whole object (its metadata is ObjectMeta).
    public init(_ schema: JSON, root: Bool = false) {
        self.schema = schema
        self.isRoot = root
    }

    public func field(_ name: String) -> (any TypeSchemaNode)? {
        if isRoot {
            // A custom object's metadata is ObjectMeta whatever its schema says (as upstream).
            if name == "metadata" { return BuiltinTypeSchema.objectMeta }
            if name == "apiVersion" || name == "kind" { return DeducedTypeSchema() }
        }
        if let p = schema[path: ["properties", name]] { return OpenAPITypeSchema(p) }
        if let a = schema["additionalProperties"], a.object != nil { return OpenAPITypeSchema(a) }
        if schema["x-kubernetes-preserve-unknown-fields"]?.bool == true || schema["additionalProperties"]?.bool == true {
            return DeducedTypeSchema()
        }
        // A schema that says nothing of its fields takes any.
        if schema["properties"] == nil, schema["type"] == nil { return DeducedTypeSchema() }
        return nil
    }

    public var elements: (any TypeSchemaNode)? {
        schema["items"].map { OpenAPITypeSchema($0) }
    }

    public var listType: ListType {
        switch schema["x-kubernetes-list-type"]?.string {
        case "set": return .set
        case "map":
            let keys = (schema["x-kubernetes-list-map-keys"]?.array ?? []).compactMap(\.string)
            return keys.isEmpty ? .atomic : .map(keys: keys)
        default: return .atomic
        }
    }

    public var isAtomic: Bool { schema["x-kubernetes-map-type"]?.string == "atomic" }

    public var presenceIsField: Bool { true }

    public var keyDefaults: [String: JSON] {
        guard case .map(let keys) = listType else { return [:] }
        var out: [String: JSON] = [:]
        for k in keys {
            if let d = schema[path: ["items", "properties", k, "default"]] { out[k] = d }
        }
        return out
    }
}
