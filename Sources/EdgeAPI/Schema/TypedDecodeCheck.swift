/// Walks a JSON document along the API schema as Go's typed decoding would:
/// every scalar must be of its field's type and every integer must fit its
/// field (int32 or int64), and fields no type defines are collected. Paths
/// are kept as a stack of components and joined only when something is
/// reported, so a well-formed object costs one pass and no string building.
struct TypedDecodeCheck {
    let schema: APISchema
    private var components: [Component] = []
    private(set) var report = DecodeReport()

    enum Component {
        /// A struct field: part of both the type error path and the unknown field path.
        case field(String)
        /// An array element (unknown field paths only, as `[3]`).
        case index(Int)
        /// A map entry (unknown field paths only, as `.key`).
        case key(String)
    }

    init(schema: APISchema) { self.schema = schema }

    mutating func run(_ value: JSON, message: String) {
        walk(value, .message(message), structName: Self.shortName(message), topLevel: true)
    }

    // MARK: walking

    private mutating func walk(_ value: JSON, _ type: APISchema.FieldType, structName: String, topLevel: Bool = false) {
        if case .null = value { return } // Go leaves a field at its zero value for null
        switch type {
        case .string, .bytes:
            if value.string == nil { typeMismatch(value, structName, type) }
        case .bool:
            if value.bool == nil { typeMismatch(value, structName, type) }
        case .double:
            switch value {
            case .int: break
            case .double(let d) where d.isFinite: break
            case .double(let d): fail("json: cannot unmarshal number \(d) into Go struct field \(structName).\(fieldPath) of type float64")
            default: typeMismatch(value, structName, type)
            }
        case .int32, .int64:
            checkInteger(value, structName, type)
        case .message(let m):
            walkMessage(value, m, structName: structName, topLevel: topLevel)
        case .repeated(let t):
            guard case .array(let a) = value else { return typeMismatch(value, structName, type) }
            if Self.isPlainScalar(t) && a.allSatisfy({ Self.fits($0, t) }) { return }
            for i in a.indices {
                components.append(.index(i))
                walk(a[i], t, structName: structName)
                components.removeLast()
            }
        case .map(let t):
            guard case .object(let o) = value else { return typeMismatch(value, structName, type) }
            if Self.isPlainScalar(t) && o.values.allSatisfy({ Self.fits($0, t) }) { return }
            for (k, v) in o {
                components.append(.key(k))
                walk(v, t, structName: structName)
                components.removeLast()
            }
        }
    }

    private mutating func walkMessage(_ value: JSON, _ m: String, structName: String, topLevel: Bool) {
        switch m {
        case "k8s.io.apimachinery.pkg.api.resource.Quantity":
            switch value {
            case .string, .int, .double: return
            default: return fail(Self.quantityFormatError)
            }
        case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
            // IntOrString decodes its number into an int32 on its own, so Go names no struct field.
            switch value {
            case .string: return
            case .int(let i) where Int64(Int32.min)...Int64(Int32.max) ~= i: return
            case .int(let i): return fail("json: cannot unmarshal number \(i) into Go value of type int32")
            case .double(let d): return fail("json: cannot unmarshal number \(d) into Go value of type int32")
            default: return fail("json: cannot unmarshal \(Self.goKind(value)) into Go value of type int32")
            }
        case "k8s.io.apimachinery.pkg.apis.meta.v1.Time", "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
             "k8s.io.apimachinery.pkg.apis.meta.v1.Duration":
            if value.string == nil { fail("json: cannot unmarshal \(Self.goKind(value)) into Go value of type string") }
            return
        default:
            break
        }
        if APISchema.freeformMessages.contains(m) { return }
        if schema.isListWrapper(m) {
            return walk(value, .repeated(.string), structName: structName)
        }
        guard case .object(let o) = value else { return typeMismatch(value, structName, .message(m)) }
        let fields = schema.fields(of: m)
        let inner = Self.shortName(m)
        for (k, v) in o {
            if topLevel && (k == "apiVersion" || k == "kind") { continue }
            components.append(.field(k))
            if let f = fields[k] {
                walk(v, f.type, structName: inner)
            } else if report.unknownFields.count < Self.maxUnknownReported {
                report.unknownFields.append(unknownPath)
            }
            components.removeLast()
        }
    }

    private mutating func checkInteger(_ value: JSON, _ structName: String, _ type: APISchema.FieldType) {
        switch value {
        case .int(let i):
            if type == .int32, !(Int64(Int32.min)...Int64(Int32.max) ~= i) {
                fail("json: cannot unmarshal number \(i) into Go struct field \(structName).\(fieldPath) of type int32")
            }
        case .double(let d):
            // Go reads an integer field with ParseInt: a fraction, an exponent or a number past Int64 is refused.
            fail("json: cannot unmarshal number \(Self.numberText(d)) into Go struct field \(structName).\(fieldPath) of type \(Self.goType(type))")
        default:
            typeMismatch(value, structName, type)
        }
    }

    // MARK: reporting

    private mutating func typeMismatch(_ value: JSON, _ structName: String, _ type: APISchema.FieldType) {
        fail("json: cannot unmarshal \(Self.goKind(value)) into Go struct field \(structName).\(fieldPath) of type \(Self.goType(type))")
    }

    /// Go keeps the first decoding error and goes on; later ones are not reported.
    private mutating func fail(_ message: String) {
        if report.typeError == nil { report.typeError = message }
    }

    /// Go's error path: the struct field names from the root, no indexes or map keys.
    private var fieldPath: String {
        components.compactMap { if case .field(let f) = $0 { return f } else { return nil } }.joined(separator: ".")
    }

    /// Strict decoding's path: fields and map keys dotted, indexes in brackets.
    private var unknownPath: String {
        var out = ""
        for c in components {
            switch c {
            case .field(let s), .key(let s): out += out.isEmpty ? s : "." + s
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// Upstream's strict decoding stops collecting errors at 100 (and so do warnings).
    static let maxUnknownReported = 100

    // MARK: type names as Go prints them

    static let quantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

    /// `k8s.io.api.apps.v1.ReplicaSetSpec` → `ReplicaSetSpec`.
    /// Called for every struct an object holds: no array of parts is built.
    static func shortName(_ message: String) -> String {
        guard let dot = message.lastIndex(of: "."), message.index(after: dot) < message.endIndex else { return message }
        return String(message[message.index(after: dot)...])
    }

    static func goType(_ t: APISchema.FieldType) -> String {
        switch t {
        case .string: return "string"
        case .bool: return "bool"
        case .int32: return "int32"
        case .int64: return "int64"
        case .double: return "float64"
        case .bytes: return "[]uint8"
        case .message(let m):
            // Package and type, as reflect prints them: v1.PodSpec, resource.Quantity.
            let parts = m.split(separator: ".")
            return parts.suffix(2).joined(separator: ".")
        case .repeated(let inner): return "[]" + goType(inner)
        case .map(let inner): return "map[string]" + goType(inner)
        }
    }

    /// The JSON kind Go names in "cannot unmarshal X".
    static func goKind(_ v: JSON) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// A number that is not an Int64: whole ones up to 2^64 in plain digits (as a client
    /// wrote them, 9223372036854775808), others as Swift writes them.
    static func numberText(_ d: Double) -> String {
        if let i = Int64(exactly: d) { return String(i) }
        if let u = UInt64(exactly: abs(d)) { return (d < 0 ? "-" : "") + String(u) }
        return d.description
    }

    static func isPlainScalar(_ t: APISchema.FieldType) -> Bool {
        switch t {
        case .string, .bool, .bytes: return true
        default: return false
        }
    }

    /// Whether a plain scalar type holds this value (the fast path for big maps and lists of strings).
    static func fits(_ v: JSON, _ t: APISchema.FieldType) -> Bool {
        switch (v, t) {
        case (.null, _), (.string, .string), (.string, .bytes), (.bool, .bool): return true
        default: return false
        }
    }
}

extension APISchema {
    /// Checks a document against the type of `message` as upstream's typed decoding would.
    public func checkDecoding(_ obj: JSON, message: String) -> DecodeReport {
        var check = TypedDecodeCheck(schema: self)
        check.run(obj, message: message)
        return check.report
    }
}
