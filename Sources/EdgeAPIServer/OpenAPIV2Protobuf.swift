import EdgeAPI

/// Encodes a swagger 2.0 document as gnostic's `openapi.v2.Document` message
/// (github.com/google/gnostic-models openapiv2/OpenAPIv2.proto): the only form
/// of /openapi/v2 kubectl reads. kubectl falls back to this document for
/// client-side validation whenever server-side field validation cannot apply,
/// as for every `kind: List` it is given.
///
/// Only the parts of swagger our documents use are mapped; any other key is an
/// error naming it, so a new kind of content fails a unit test instead of being
/// silently dropped from what kubectl validates against.
enum OpenAPIV2Protobuf {
    struct UnsupportedField: Error, CustomStringConvertible {
        /// JSON path of the key, e.g. `definitions.io.k8s.api.core.v1.Pod.xml`.
        var path: String
        var description: String { "cannot encode \(path) of the OpenAPI v2 document as protobuf" }
    }

    static func document(_ doc: JSON) throws(UnsupportedField) -> [UInt8] {
        guard let obj = doc.object else { throw UnsupportedField(path: "(document is not an object)") }
        var w = ProtobufWriter()
        var extensions: [(String, JSON)] = []
        for (key, value) in obj {
            switch key {
            case "swagger": w.string(1, value.string ?? "")
            case "info": w.message(2, try info(value, path: key))
            case "host": w.string(3, value.string ?? "")
            case "basePath": w.string(4, value.string ?? "")
            case "schemes": w.strings(5, strings(value))
            case "consumes": w.strings(6, strings(value))
            case "produces": w.strings(7, strings(value))
            case "paths": w.message(8, try paths(value, path: key))
            case "definitions": w.message(9, try namedSchemas(value, path: key))
            default:
                guard key.hasPrefix("x-") else { throw UnsupportedField(path: key) }
                extensions.append((key, value))
            }
        }
        vendorExtensions(16, extensions, into: &w)
        return w.bytes
    }

    static func info(_ v: JSON, path: String) throws(UnsupportedField) -> ProtobufWriter {
        var w = ProtobufWriter()
        var extensions: [(String, JSON)] = []
        for (key, value) in v.object ?? JSONObject() {
            switch key {
            case "title": w.string(1, value.string ?? "")
            case "version": w.string(2, value.string ?? "")
            case "description": w.string(3, value.string ?? "")
            case "termsOfService": w.string(4, value.string ?? "")
            default:
                guard key.hasPrefix("x-") else { throw UnsupportedField(path: path + "." + key) }
                extensions.append((key, value))
            }
        }
        vendorExtensions(7, extensions, into: &w)
        return w
    }

    /// Our v2 document lists no operations (kubectl reads them from v3); only
    /// the message itself and its extensions are written.
    static func paths(_ v: JSON, path: String) throws(UnsupportedField) -> ProtobufWriter {
        var w = ProtobufWriter()
        var extensions: [(String, JSON)] = []
        for (key, value) in v.object ?? JSONObject() {
            guard key.hasPrefix("x-") else { throw UnsupportedField(path: path + "." + key) }
            extensions.append((key, value))
        }
        vendorExtensions(1, extensions, into: &w)
        return w
    }

    /// `Definitions` and `Properties` share one shape: repeated NamedSchema in field 1, in document order.
    static func namedSchemas(_ v: JSON, path: String) throws(UnsupportedField) -> ProtobufWriter {
        var w = ProtobufWriter()
        for (name, value) in v.object ?? JSONObject() {
            var named = ProtobufWriter()
            named.string(1, name)
            named.message(2, try schema(value, path: path + "." + name))
            w.message(1, named)
        }
        return w
    }

    static func schema(_ v: JSON, path: String) throws(UnsupportedField) -> ProtobufWriter {
        guard let obj = v.object else { throw UnsupportedField(path: path + " (schema is not an object)") }
        var w = ProtobufWriter()
        var extensions: [(String, JSON)] = []
        // Fields are written in field-number order, as protobuf encoders do, whatever the JSON order.
        for key in obj.keys.sorted(by: { (schemaFields[$0] ?? 99) < (schemaFields[$1] ?? 99) }) {
            let value = obj[key]!
            let at = path + "." + key
            guard let field = schemaFields[key] else {
                guard key.hasPrefix("x-") else { throw UnsupportedField(path: at) }
                extensions.append((key, value))
                continue
            }
            switch key {
            case "$ref", "format", "title", "description", "pattern", "discriminator": w.string(field, value.string ?? "")
            case "default", "example": w.message(field, any(value))
            case "multipleOf", "maximum", "minimum": w.double(field, value.double ?? 0)
            case "exclusiveMaximum", "exclusiveMinimum", "uniqueItems", "readOnly": w.bool(field, value.bool ?? false)
            case "maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties": w.int64(field, value.int ?? 0)
            case "required": w.strings(field, strings(value))
            case "enum": for e in value.array ?? [] { w.message(field, any(e)) }
            case "additionalProperties":
                // AdditionalPropertiesItem is a oneof: a schema (1) or a boolean (2), false included.
                var item = ProtobufWriter()
                if let b = value.bool { item.oneofBool(2, b) } else { item.message(1, try schema(value, path: at)) }
                w.message(field, item)
            case "type":
                var item = ProtobufWriter()
                item.strings(1, value.string.map { [$0] } ?? strings(value))
                w.message(field, item)
            case "items":
                var item = ProtobufWriter()
                for (i, s) in (value.array ?? [value]).enumerated() { item.message(1, try schema(s, path: at + "[\(i)]")) }
                w.message(field, item)
            case "allOf":
                for (i, s) in (value.array ?? []).enumerated() { w.message(field, try schema(s, path: at + "[\(i)]")) }
            case "properties": w.message(field, try namedSchemas(value, path: at))
            default: throw UnsupportedField(path: at)
            }
        }
        vendorExtensions(31, extensions, into: &w)
        return w
    }

    /// Schema keys and their field numbers in `openapi.v2.Schema`.
    static let schemaFields: [String: Int] = [
        "$ref": 1, "format": 2, "title": 3, "description": 4, "default": 5, "multipleOf": 6, "maximum": 7,
        "exclusiveMaximum": 8, "minimum": 9, "exclusiveMinimum": 10, "maxLength": 11, "minLength": 12,
        "pattern": 13, "maxItems": 14, "minItems": 15, "uniqueItems": 16, "maxProperties": 17, "minProperties": 18,
        "required": 19, "enum": 20, "additionalProperties": 21, "type": 22, "items": 23, "allOf": 24,
        "properties": 25, "discriminator": 26, "readOnly": 27, "example": 30,
    ]

    /// `x-…` keys as repeated NamedAny.
    static func vendorExtensions(_ field: Int, _ extensions: [(String, JSON)], into w: inout ProtobufWriter) {
        for (name, value) in extensions {
            var named = ProtobufWriter()
            named.string(1, name)
            named.message(2, any(value))
            w.message(field, named)
        }
    }

    /// gnostic's `Any` carries a value as YAML text (field 2); clients such as
    /// kube-openapi read extensions only from it. JSON is YAML, so the JSON text
    /// serves as it is.
    static func any(_ v: JSON) -> ProtobufWriter {
        var w = ProtobufWriter()
        w.lengthDelimited(2, JSONSerializer.serialize(v))
        return w
    }

    static func strings(_ v: JSON) -> [String] { (v.array ?? []).compactMap(\.string) }
}
