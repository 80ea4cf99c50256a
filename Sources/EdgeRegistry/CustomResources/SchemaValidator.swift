import EdgeAPI

/// Validates a custom object against its structural schema as upstream's
/// OpenAPI validator does, with upstream's wording: `spec.replicas: Invalid
/// value: "x": spec.replicas in body must be of type integer: "string"`,
/// `Unsupported value`, `Required value`, `should be less than or equal to`,
/// `should match`, formats. Root metadata is ObjectMeta's (the store checks
/// it); apiVersion, kind and metadata of embedded resources are checked here.
public enum SchemaValidator {
    public static func validate(_ value: JSON, _ schema: StructuralSchema) -> [FieldError] {
        var errs: [FieldError] = []
        guard let o = value.object else { return errs }
        for (k, v) in o where !["apiVersion", "kind", "metadata"].contains(k) {
            if let s = schema.field(k) { check(v, s, k, &errs) }
        }
        for r in schema.required where o[r] == nil && !["apiVersion", "kind", "metadata"].contains(r) {
            errs.append(.required(r))
        }
        valueChecks(value, schema, "", &errs)
        return errs
    }

    /// The JSON type names upstream's validator reports for a value.
    static func typeName(_ v: JSON) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double(let d): return d.rounded() == d ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    static func matchesType(_ v: JSON, _ type: String) -> Bool {
        switch type {
        case "": return true
        case "integer": return typeName(v) == "integer"
        case "number": return v.double != nil
        case "string": return v.string != nil
        case "boolean": return v.bool != nil
        case "object": return v.object != nil
        case "array": return v.array != nil
        default: return true
        }
    }

    static func check(_ v: JSON, _ s: StructuralSchema, _ path: String, _ errs: inout [FieldError]) {
        if v.isNull {
            if s.nullable || (s.type.isEmpty && s.preserveUnknownFields) { return }
            if !s.type.isEmpty {
                errs.append(typeInvalid(path, v, "\(path) in body must be of type \(s.type): \"null\""))
            }
            return
        }
        if s.intOrString {
            if !(typeName(v) == "integer" || v.string != nil) {
                errs.append(typeInvalid(path, v, "\(path) in body must be of type integer,string: \"\(typeName(v))\""))
                return
            }
        } else if !matchesType(v, s.type) {
            errs.append(typeInvalid(path, v, "\(path) in body must be of type \(s.type): \"\(typeName(v))\""))
            return
        }
        switch v {
        case .object(let o):
            if s.embeddedResource { embedded(o, path, &errs) }
            for (k, child) in o {
                if s.embeddedResource && ["apiVersion", "kind", "metadata"].contains(k) && s.properties[k] == nil { continue }
                if let cs = s.field(k) { check(child, cs, path + "." + k, &errs) }
            }
            for r in s.required where o[r] == nil { errs.append(.required(path + "." + r)) }
            if let min = s.minProperties, Int64(o.count) < min {
                errs.append(.invalid(path, v, "\(path) in body should have at least \(min) properties"))
            }
            if let max = s.maxProperties, Int64(o.count) > max {
                errs.append(FieldError(kind: .tooMany, field: path, body: "Too many: \(o.count): must have at most \(max) items"))
            }
        case .array(let a):
            if let items = s.items {
                for (i, e) in a.enumerated() { check(e, items, "\(path)[\(i)]", &errs) }
            }
            if let min = s.minItems, Int64(a.count) < min {
                errs.append(.invalid(path, v, "\(path) in body should have at least \(min) items"))
            }
            if let max = s.maxItems, Int64(a.count) > max {
                errs.append(FieldError(kind: .tooMany, field: path, body: "Too many: \(a.count): must have at most \(max) items"))
            }
            errs += listTypeErrors(a, s, path)
        default: break
        }
        valueChecks(v, s, path, &errs)
    }

    /// enum, bounds, lengths, pattern, format, and the junctors (allOf, anyOf, oneOf, not).
    static func valueChecks(_ v: JSON, _ s: StructuralSchema, _ path: String, _ errs: inout [FieldError]) {
        if let e = s.enumValues, !e.contains(where: { $0 == v }) {
            errs.append(.notSupported(path, v, e.map { $0.string ?? JSONSerializer.string($0) }))
        }
        if let d = v.double, v.string == nil {
            if let max = s.maximum {
                if s.exclusiveMaximum, d >= max { errs.append(.invalid(path, v, "\(path) in body should be less than \(number(max))")) }
                if !s.exclusiveMaximum, d > max { errs.append(.invalid(path, v, "\(path) in body should be less than or equal to \(number(max))")) }
            }
            if let min = s.minimum {
                if s.exclusiveMinimum, d <= min { errs.append(.invalid(path, v, "\(path) in body should be greater than \(number(min))")) }
                if !s.exclusiveMinimum, d < min { errs.append(.invalid(path, v, "\(path) in body should be greater than or equal to \(number(min))")) }
            }
            if let m = s.multipleOf, m > 0, (d / m).rounded() != d / m {
                errs.append(.invalid(path, v, "\(path) in body should be a multiple of \(number(m))"))
            }
        }
        if let str = v.string {
            // Go counts runes (code points), not grapheme clusters.
            let length = Int64(str.unicodeScalars.count)
            if let max = s.maxLength, length > max {
                errs.append(FieldError(kind: .tooLong, field: path, body: "Too long: may not be more than \(max) bytes"))
            }
            if let min = s.minLength, length < min {
                errs.append(.invalid(path, v, "\(path) in body should be at least \(min) chars long"))
            }
            if let p = s.pattern, !PatternCache.shared.compiled(p).matches(str) {
                errs.append(.invalid(path, v, "\(path) in body should match '\(p)'"))
            }
            if let f = s.format, !SchemaFormats.isValid(str, format: f) {
                errs.append(typeInvalid(path, v, "\(path) in body must be of type \(f): \"\(str)\""))
            }
        }
        for sub in s.allOf { valueChecks(v, sub, path, &errs); nestedChecks(v, sub, path, &errs) }
        if !s.anyOf.isEmpty && !(s.intOrString && StructuralSchemaCheck.isIntOrStringPair(s.anyOf)) {
            if !s.anyOf.contains(where: { passes(v, $0, path) }) {
                errs.append(.invalid(path, v, "\(path) in body must validate at least one schema (anyOf)"))
            }
        }
        if !s.oneOf.isEmpty {
            let n = s.oneOf.filter { passes(v, $0, path) }.count
            if n != 1 { errs.append(.invalid(path, v, "\(path) in body must validate one and only one schema (oneOf)")) }
        }
        if let n = s.not, passes(v, n, path) {
            errs.append(.invalid(path, v, "\(path) in body must not validate the schema (not)"))
        }
    }

    /// A junctor's schema checks the value's fields too (value validations only, no structure).
    static func nestedChecks(_ v: JSON, _ s: StructuralSchema, _ path: String, _ errs: inout [FieldError]) {
        if let o = v.object {
            for (k, sub) in s.properties { if let c = o[k] { valueChecks(c, sub, path + "." + k, &errs); nestedChecks(c, sub, path + "." + k, &errs) } }
            for r in s.required where o[r] == nil { errs.append(.required(path + "." + r)) }
        }
        if let a = v.array, let items = s.items {
            for (i, e) in a.enumerated() { valueChecks(e, items, "\(path)[\(i)]", &errs); nestedChecks(e, items, "\(path)[\(i)]", &errs) }
        }
        if !s.type.isEmpty && !matchesType(v, s.type) {
            errs.append(typeInvalid(path, v, "\(path) in body must be of type \(s.type): \"\(typeName(v))\""))
        }
    }

    static func passes(_ v: JSON, _ s: StructuralSchema, _ path: String) -> Bool {
        var errs: [FieldError] = []
        valueChecks(v, s, path, &errs)
        nestedChecks(v, s, path, &errs)
        return errs.isEmpty
    }

    /// x-kubernetes-list-type set and map: no duplicate items, no duplicate keys.
    static func listTypeErrors(_ a: [JSON], _ s: StructuralSchema, _ path: String) -> [FieldError] {
        switch s.listType {
        case "set":
            for (i, e) in a.enumerated() where a[..<i].contains(e) { return [.duplicate("\(path)[\(i)]", e)] }
        case "map":
            var seen: [[JSON]] = []
            var errs: [FieldError] = []
            for (i, e) in a.enumerated() {
                let key = s.listMapKeys.map { e[$0] ?? s.items?.properties[$0]?.defaultValue ?? .null }
                if seen.contains(key) {
                    var obj = JSONObject()
                    for (k, v) in zip(s.listMapKeys, key) { obj[k] = v }
                    errs.append(FieldError(kind: .duplicate, field: "\(path)[\(i)]", body: "Duplicate value: \(JSONSerializer.string(.object(obj)))"))
                }
                seen.append(key)
            }
            return errs
        default: break
        }
        return []
    }

    /// An embedded resource names its apiVersion and kind (upstream's ValidateEmbeddedResource).
    static func embedded(_ o: JSONObject, _ path: String, _ errs: inout [FieldError]) {
        if (o["apiVersion"]?.string ?? "").isEmpty { errs.append(.required(path + ".apiVersion", "must not be empty")) }
        if (o["kind"]?.string ?? "").isEmpty { errs.append(.required(path + ".kind", "must not be empty")) }
        if let m = o["metadata"], m.object == nil, !m.isNull {
            errs.append(typeInvalid(path + ".metadata", m, "\(path).metadata in body must be of type object: \"\(typeName(m))\""))
        }
    }

    static func typeInvalid(_ path: String, _ v: JSON, _ detail: String) -> FieldError {
        FieldError(kind: .typeInvalid, field: path, body: "Invalid value: \(FieldError.goValue(shortened(v))): \(detail)")
    }

    /// Objects and lists print as their type in messages (as upstream's do), scalars as themselves.
    static func shortened(_ v: JSON) -> JSON {
        switch v {
        case .object: return .string("object")
        case .array: return .string("array")
        default: return v
        }
    }

    /// 10, not 10.0, as Go prints float64 bounds.
    static func number(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}
