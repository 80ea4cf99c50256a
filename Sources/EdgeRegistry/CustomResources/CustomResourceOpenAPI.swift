import EdgeAPI

/// What a custom resource publishes in the OpenAPI documents, as upstream's
/// builder does: the kind's schema (its structural schema with apiVersion,
/// kind and a reference to ObjectMeta), the list kind, and the ObjectMeta and
/// ListMeta definitions they refer to, each tagged with
/// x-kubernetes-group-version-kind so `kubectl explain` finds them.
public enum CustomResourceOpenAPI {
    static let objectMeta = "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let listMeta = "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta"

    /// `widgets.example.com/v1 Widget` → `com.example.v1.Widget` (the group's labels reversed).
    public static func definitionName(_ r: ResourceInfo) -> String {
        r.group.split(separator: ".").reversed().joined(separator: ".") + ".\(r.version).\(r.kind)"
    }

    public static func definitions(_ r: ResourceInfo, listKind: String, schema: StructuralSchema, refPrefix: String) -> JSONObject {
        let name = definitionName(r)
        let gvk: JSON = [["group": .string(r.group), "kind": .string(r.kind), "version": .string(r.version)]]
        var kind = published(schema.raw)
        if refPrefix == OpenAPISchemas.v2RefPrefix { kind = swagger2(kind) }
        var props = kind["properties"]?.object ?? JSONObject()
        props["apiVersion"] = ["type": "string",
                               "description": "APIVersion defines the versioned schema of this representation of an object."]
        props["kind"] = ["type": "string", "description": "Kind is a string value representing the REST resource this object represents."]
        props["metadata"] = ["$ref": .string(refPrefix + OpenAPISchemas.definitionName(objectMeta))]
        var ordered = JSONObject()
        for k in ["apiVersion", "kind", "metadata"] { ordered[k] = props[k] }
        for (k, v) in props where ordered[k] == nil { ordered[k] = v }
        kind["properties"] = .object(ordered)
        kind["type"] = "object"
        kind["x-kubernetes-group-version-kind"] = gvk
        let list: JSON = [
            "description": .string("\(listKind) is a list of \(r.kind)"),
            "type": "object", "required": ["items"],
            "properties": [
                "apiVersion": ["type": "string"],
                "items": ["type": "array", "items": ["$ref": .string(refPrefix + name)]],
                "kind": ["type": "string"],
                "metadata": ["$ref": .string(refPrefix + OpenAPISchemas.definitionName(listMeta))],
            ],
            "x-kubernetes-group-version-kind": [["group": .string(r.group), "kind": .string(listKind), "version": .string(r.version)]],
        ]
        var out = OpenAPISchemas.definitions(reachableFrom: [objectMeta, listMeta], refPrefix: refPrefix)
        out[name] = kind
        out[String(name.dropLast(r.kind.count)) + listKind] = list
        return out
    }

    /// Swagger 2.0 has no nullable, anyOf, oneOf or not: upstream drops them from the v2 document
    /// (kubectl's client-side validation reads it), and so does this.
    static func swagger2(_ schema: JSON) -> JSON {
        guard var o = schema.object else { return schema }
        for k in ["nullable", "anyOf", "oneOf", "not"] { o[k] = nil }
        if let props = o["properties"]?.object {
            var out = JSONObject()
            for (k, v) in props { out[k] = swagger2(v) }
            o["properties"] = .object(out)
        }
        if let items = o["items"], items.object != nil { o["items"] = swagger2(items) }
        if let a = o["additionalProperties"], a.object != nil { o["additionalProperties"] = swagger2(a) }
        if let all = o["allOf"]?.array { o["allOf"] = .array(all.map(swagger2)) }
        return .object(o)
    }

    /// The schema as clients should see it: x-kubernetes-validations rules kept (upstream publishes them),
    /// nothing else changed.
    static func published(_ raw: JSON) -> JSON { raw.object == nil ? ["type": "object"] : raw }
}
