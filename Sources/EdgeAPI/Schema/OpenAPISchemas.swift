/// OpenAPI schemas generated from the API schema: what `kubectl explain` reads
/// (field names, types, list merge keys, and which schema is which kind).
public enum OpenAPISchemas {
    /// `k8s.io.api.core.v1.Pod` → `io.k8s.api.core.v1.Pod`, the names OpenAPI documents use.
    /// The aggregator's types keep its module's dash (`io.k8s.kube-aggregator.pkg.apis...`), as upstream's documents.
    public static func definitionName(_ message: String) -> String {
        let aggregator = "k8s.io.kube_aggregator."
        if message.hasPrefix(aggregator) { return "io.k8s.kube-aggregator." + message.dropFirst(aggregator.count) }
        return message.hasPrefix("k8s.io.") ? "io.k8s." + message.dropFirst("k8s.io.".count) : message
    }

    /// Where swagger 2.0 documents keep their schemas.
    public static let v2RefPrefix = "#/definitions/"

    /// Schemas reachable from the kinds of one group-version, keyed by definition name.
    /// `refPrefix` is "#/components/schemas/" (v3) or "#/definitions/" (v2).
    public static func schemas(for resources: [ResourceInfo], refPrefix: String, schema: APISchema = .shared) -> JSON {
        var kinds: [String: (ResourceInfo, list: Bool)] = [:]
        var roots: [String] = []
        for r in resources {
            guard let m = schema.messageName(for: r) else { continue }
            kinds[m] = (r, false)
            roots.append(m)
            let list = m + "List"
            if schema.fields[list] != nil { kinds[list] = (r, true); roots.append(list) }
        }
        return .object(reachable(from: roots, kinds: kinds, refPrefix: refPrefix, schema: schema))
    }

    /// Definitions of the messages named and all they refer to (a custom resource's
    /// document needs ObjectMeta and ListMeta), sorted by name.
    public static func definitions(reachableFrom messages: [String], refPrefix: String, schema: APISchema = .shared) -> JSONObject {
        reachable(from: messages, kinds: [:], refPrefix: refPrefix, schema: schema)
    }

    static func reachable(from roots: [String], kinds: [String: (ResourceInfo, list: Bool)], refPrefix: String,
                          schema: APISchema) -> JSONObject {
        var seen = Set<String>()
        var todo = roots
        var out = JSONObject()
        while let m = todo.popLast() {
            if !seen.insert(m).inserted { continue }
            let (def, refs) = definition(m, schema: schema, refPrefix: refPrefix, kind: kinds[m])
            out[definitionName(m)] = def
            todo += refs
        }
        var sorted = JSONObject()
        for k in out.sortedKeys { sorted[k] = out[k] }
        return sorted
    }

    static func definition(_ m: String, schema: APISchema, refPrefix: String, kind: (ResourceInfo, list: Bool)?) -> (JSON, [String]) {
        switch m {
        case "k8s.io.apimachinery.pkg.api.resource.Quantity":
            return (["type": "string", "description": "A fixed-point number with a unit suffix (e.g. 500m, 128Mi, 2)."], [])
        case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
            return (["type": "string", "format": "int-or-string", "x-kubernetes-int-or-string": true,
                     "description": "An integer or a string (e.g. 8080 or \"http\")."], [])
        case "k8s.io.apimachinery.pkg.apis.meta.v1.Time":
            return (["type": "string", "format": "date-time", "description": "An RFC 3339 time in UTC."], [])
        case "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime":
            return (["type": "string", "format": "date-time", "description": "An RFC 3339 time with microseconds."], [])
        case "k8s.io.apimachinery.pkg.apis.meta.v1.Duration":
            return (["type": "string", "description": "A duration such as 1h2m3s."], [])
        case "k8s.io.apimachinery.pkg.runtime.RawExtension", "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1":
            return (["type": "object", "description": "Arbitrary JSON."], [])
        default: break
        }
        var refs: [String] = []
        var props = JSONObject()
        if let kind {
            props["apiVersion"] = ["type": "string", "description": "The versioned schema of this object."]
            props["kind"] = ["type": "string", "description": "The type of this object."]
        }
        let fields = schema.fields(of: m)
        for name in schema.fieldNames(of: m) {
            guard let f = fields[name] else { continue }
            var p = fieldSchema(f.type, schema: schema, refPrefix: refPrefix, refs: &refs)
            if !f.patch.strategies.isEmpty { p["x-kubernetes-patch-strategy"] = .string(f.patch.strategies.joined(separator: ",")) }
            if let k = f.patch.mergeKey {
                p["x-kubernetes-patch-merge-key"] = .string(k)
                p["x-kubernetes-list-type"] = "map"
                p["x-kubernetes-list-map-keys"] = [.string(k)]
            }
            props[name] = p
        }
        var def: JSON = ["type": "object", "properties": .object(props)]
        if let (r, isList) = kind {
            def["description"] = .string(isList ? "A list of \(r.kind) objects." : "\(r.kind) (\(r.apiVersion)), served at \(r.plural).")
            def["x-kubernetes-group-version-kind"] = [["group": .string(r.group), "kind": .string(isList ? r.listKind : r.kind), "version": .string(r.version)]]
            if isList { def["required"] = ["items"] }
        }
        return (def, refs)
    }

    static func fieldSchema(_ t: APISchema.FieldType, schema: APISchema, refPrefix: String, refs: inout [String]) -> JSON {
        switch t {
        case .string: return ["type": "string"]
        case .bool: return ["type": "boolean"]
        case .int32: return ["type": "integer", "format": "int32"]
        case .int64: return ["type": "integer", "format": "int64"]
        case .double: return ["type": "number", "format": "double"]
        case .bytes: return ["type": "string", "format": "byte"]
        case .message(let m):
            if schema.isListWrapper(m) { return ["type": "array", "items": ["type": "string"]] }
            refs.append(m)
            let ref: JSON = ["$ref": .string(refPrefix + definitionName(m))]
            // Swagger 2.0 readers (kubectl's client-side validation, via kube-openapi's
            // proto models) follow a bare $ref only and take an allOf-only schema for
            // "anything", which would stop validation at the first nested object.
            // OpenAPI v3 wraps the ref in allOf so a default can sit beside it, as upstream does.
            if refPrefix == v2RefPrefix { return ref }
            return ["allOf": [ref], "default": [:]]
        case .repeated(let inner):
            return ["type": "array", "items": fieldSchema(inner, schema: schema, refPrefix: refPrefix, refs: &refs)]
        case .map(let inner):
            return ["type": "object", "additionalProperties": fieldSchema(inner, schema: schema, refPrefix: refPrefix, refs: &refs)]
        }
    }
}
