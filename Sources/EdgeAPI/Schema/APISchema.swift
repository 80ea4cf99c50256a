/// The API types as JSON sees them, derived from the wire schema table: field
/// names and types with embedded structs flattened, list merge keys, and which
/// special types are JSON scalars. One source for strategic merge, unknown
/// field detection and the OpenAPI documents.
public struct APISchema: Sendable {
    public static let shared = APISchema(wire: .shared)

    public typealias FieldType = ProtobufSchema.FieldType

    public struct Field: Sendable {
        public var name: String
        public var type: FieldType
        public var patch: PatchMeta
    }

    /// Messages that JSON writes as a scalar (string or number).
    public static let scalarMessages: Set<String> = [
        "k8s.io.apimachinery.pkg.api.resource.Quantity", "k8s.io.apimachinery.pkg.util.intstr.IntOrString",
        "k8s.io.apimachinery.pkg.apis.meta.v1.Time", "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
        "k8s.io.apimachinery.pkg.apis.meta.v1.Duration",
    ]
    /// Messages holding arbitrary JSON.
    public static let freeformMessages: Set<String> = [
        "k8s.io.apimachinery.pkg.runtime.RawExtension", "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1",
    ]

    let wire: ProtobufSchema
    /// message → JSON fields by name (inline structs flattened).
    let fields: [String: [String: Field]]
    /// message → JSON field names in wire order (for documents).
    let order: [String: [String]]

    init(wire: ProtobufSchema) {
        self.wire = wire
        var fields: [String: [String: Field]] = [:]
        var order: [String: [String]] = [:]
        func flatten(_ name: String, into f: inout [String: Field], _ o: inout [String]) {
            guard let m = wire.messages[name] else { return }
            for num in m.fields.keys.sorted() {
                let x = m.fields[num]!
                if x.inline, case .message(let inner) = x.type {
                    flatten(inner, into: &f, &o)
                    continue
                }
                f[x.name] = Field(name: x.name, type: x.type, patch: x.patch)
                o.append(x.name)
            }
        }
        for name in wire.messages.keys {
            var f: [String: Field] = [:]
            var o: [String] = []
            flatten(name, into: &f, &o)
            fields[name] = f
            order[name] = o
        }
        self.fields = fields
        self.order = order
    }

    public var messageNames: [String] { Array(fields.keys) }

    public func fields(of message: String) -> [String: Field] { fields[message] ?? [:] }

    public func fieldNames(of message: String) -> [String] { order[message] ?? [] }

    public func isListWrapper(_ message: String) -> Bool { wire.messages[message]?.listWrapper ?? false }

    public func messageName(for r: ResourceInfo) -> String? {
        wire.messageName(apiVersion: r.apiVersion, kind: r.kind)
    }

    /// The strategic-merge view of a kind.
    public func patchNode(for r: ResourceInfo) -> (any PatchSchemaNode)? {
        messageName(for: r).map { SchemaPatchNode(schema: self, type: .message($0)) }
    }

    // MARK: unknown fields

    /// Upstream-style paths (`.spec.replicass`, `.spec.containers[0].foo`) of fields no type defines.
    public func unknownFields(in obj: JSON, message: String) -> [String] {
        var out: [String] = []
        walk(obj, .message(message), path: "", topLevel: true, unknown: &out, prune: nil)
        return out
    }

    /// Removes fields no type defines (what upstream's decoder drops).
    public func pruneUnknownFields(_ obj: inout JSON, message: String) {
        var ignored: [String] = []
        var copy = obj
        walk(copy, .message(message), path: "", topLevel: true, unknown: &ignored, prune: &copy)
        obj = copy
    }

    private func walk(_ value: JSON, _ type: FieldType, path: String, topLevel: Bool, unknown: inout [String], prune: UnsafeMutablePointer<JSON>?) {
        switch type {
        case .message(let m):
            if Self.scalarMessages.contains(m) || Self.freeformMessages.contains(m) { return }
            if isListWrapper(m) { return }
            guard case .object(let o) = value else { return }
            let defined = fields(of: m)
            for (k, v) in o {
                if topLevel && (k == "apiVersion" || k == "kind") { continue }
                guard let f = defined[k] else {
                    unknown.append(path + "." + k)
                    prune?.pointee[k] = nil
                    continue
                }
                if let prune {
                    var child = v
                    walk(v, f.type, path: path + "." + k, topLevel: false, unknown: &unknown, prune: &child)
                    prune.pointee[k] = child
                } else {
                    walk(v, f.type, path: path + "." + k, topLevel: false, unknown: &unknown, prune: nil)
                }
            }
        case .repeated(let t):
            guard case .array(var a) = value else { return }
            for i in a.indices {
                if prune != nil {
                    var child = a[i]
                    walk(a[i], t, path: path + "[\(i)]", topLevel: false, unknown: &unknown, prune: &child)
                    a[i] = child
                } else {
                    walk(a[i], t, path: path + "[\(i)]", topLevel: false, unknown: &unknown, prune: nil)
                }
            }
            prune?.pointee = .array(a)
        case .map(let t):
            guard case .object(var o) = value else { return }
            for (k, v) in o {
                if prune != nil {
                    var child = v
                    walk(v, t, path: path + "[\(k)]", topLevel: false, unknown: &unknown, prune: &child)
                    o[k] = child
                } else {
                    walk(v, t, path: path + "[\(k)]", topLevel: false, unknown: &unknown, prune: nil)
                }
            }
            prune?.pointee = .object(o)
        default:
            return
        }
    }
}

/// A node of the schema as strategic merge patch walks it.
struct SchemaPatchNode: PatchSchemaNode {
    let schema: APISchema
    let type: APISchema.FieldType

    func field(_ name: String) -> (node: any PatchSchemaNode, meta: PatchMeta)? {
        guard case .message(let m) = type, let f = schema.fields(of: m)[name] else { return nil }
        return (SchemaPatchNode(schema: schema, type: f.type), f.patch)
    }

    var items: (any PatchSchemaNode)? {
        switch type {
        case .repeated(let t), .map(let t): return SchemaPatchNode(schema: schema, type: t)
        default: return nil
        }
    }
}
