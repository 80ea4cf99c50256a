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
        /// A Go pointer (or a map, slice): absent in an empty object, so its presence is itself a field.
        public var pointer: Bool = false
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
                f[x.name] = Field(name: x.name, type: x.type, patch: x.patch, pointer: x.pointer)
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

    /// Paths (`spec.replicass`, `spec.containers[0].foo`) of fields no type defines, in document order.
    public func unknownFields(in obj: JSON, message: String) -> [String] {
        checkDecoding(obj, message: message).unknownFields
    }

    /// Removes fields no type defines (what upstream's decoder drops).
    public func pruneUnknownFields(_ obj: inout JSON, message: String) {
        obj = pruned(obj, .message(message), topLevel: true)
    }

    private func pruned(_ value: JSON, _ type: FieldType, topLevel: Bool = false) -> JSON {
        switch type {
        case .message(let m):
            if Self.scalarMessages.contains(m) || Self.freeformMessages.contains(m) || isListWrapper(m) { return value }
            guard case .object(let o) = value else { return value }
            let defined = fields(of: m)
            func kept(_ k: String) -> Bool { defined[k] != nil || (topLevel && (k == "apiVersion" || k == "kind")) }
            // Dropping keys one by one from a big object would cost O(n) each: rebuild it once instead.
            var out = o.keys.allSatisfy(kept) ? o : JSONObject(o.filter { kept($0.key) }.map { ($0.key, $0.value) })
            for k in out.keys {
                if let f = defined[k], Self.holdsObjects(f.type) { out[k] = pruned(out[k]!, f.type) }
            }
            return .object(out)
        case .repeated(let t):
            guard Self.holdsObjects(t), case .array(var a) = value else { return value }
            for i in a.indices { a[i] = pruned(a[i], t) }
            return .array(a)
        case .map(let t):
            guard Self.holdsObjects(t), case .object(var o) = value else { return value }
            for k in o.keys { o[k] = pruned(o[k]!, t) }
            return .object(o)
        default:
            return value
        }
    }

    /// Whether values of a type can hold fields to prune (scalars and lists of them cannot).
    private static func holdsObjects(_ t: FieldType) -> Bool {
        switch t {
        case .message(let m): return !scalarMessages.contains(m) && !freeformMessages.contains(m)
        case .repeated(let inner), .map(let inner): return holdsObjects(inner)
        default: return false
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
