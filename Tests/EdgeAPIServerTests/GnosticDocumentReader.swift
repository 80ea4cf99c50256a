@testable import EdgeAPI

/// Reads a gnostic `openapi.v2.Document` back into swagger JSON, written from
/// the field numbers of OpenAPIv2.proto independently of the encoder, so a
/// round trip checks the encoder against the schema rather than against itself.
/// Any field it does not expect fails the read.
enum GnosticDocumentReader {
    typealias Reader = ProtobufDecoder.Reader

    struct Unexpected: Error, CustomStringConvertible {
        var description: String
    }

    static func document(_ bytes: [UInt8]) throws -> JSON {
        var out = JSONObject()
        var r = Reader(bytes: bytes[...])
        while !r.atEnd {
            let (n, wire) = try r.tag()
            switch n {
            case 1: out["swagger"] = .string(try text(&r))
            case 2: out["info"] = try info(try r.lengthDelimited())
            case 8:
                let paths = try r.lengthDelimited()
                out["paths"] = try extensionsOnly(paths)
            case 9: out["definitions"] = try namedSchemas(try r.lengthDelimited())
            case 16: try namedAny(try r.lengthDelimited(), into: &out)
            default: throw Unexpected(description: "Document field \(n) (wire \(wire))")
            }
        }
        return .object(out)
    }

    static func info(_ bytes: ArraySlice<UInt8>) throws -> JSON {
        var out = JSONObject()
        var r = Reader(bytes: bytes)
        while !r.atEnd {
            let (n, _) = try r.tag()
            switch n {
            case 1: out["title"] = .string(try text(&r))
            case 2: out["version"] = .string(try text(&r))
            case 3: out["description"] = .string(try text(&r))
            default: throw Unexpected(description: "Info field \(n)")
            }
        }
        return .object(out)
    }

    /// `Paths`: only vendor extensions (field 1) are expected in our document.
    static func extensionsOnly(_ bytes: ArraySlice<UInt8>) throws -> JSON {
        var out = JSONObject()
        var r = Reader(bytes: bytes)
        while !r.atEnd {
            let (n, _) = try r.tag()
            guard n == 1 else { throw Unexpected(description: "Paths field \(n)") }
            try namedAny(try r.lengthDelimited(), into: &out)
        }
        return .object(out)
    }

    /// Definitions / Properties: repeated NamedSchema {1: name, 2: Schema}.
    static func namedSchemas(_ bytes: ArraySlice<UInt8>) throws -> JSON {
        var out = JSONObject()
        var r = Reader(bytes: bytes)
        while !r.atEnd {
            let (n, _) = try r.tag()
            guard n == 1 else { throw Unexpected(description: "NamedSchema list field \(n)") }
            var item = Reader(bytes: try r.lengthDelimited())
            var name = ""
            var value: JSON = .object(JSONObject())
            while !item.atEnd {
                let (m, _) = try item.tag()
                switch m {
                case 1: name = try text(&item)
                case 2: value = try schema(try item.lengthDelimited())
                default: throw Unexpected(description: "NamedSchema field \(m)")
                }
            }
            out[name] = value
        }
        return .object(out)
    }

    static func schema(_ bytes: ArraySlice<UInt8>) throws -> JSON {
        var out = JSONObject()
        var r = Reader(bytes: bytes)
        func append(_ key: String, _ v: JSON) { out[key] = .array((out[key]?.array ?? []) + [v]) }
        while !r.atEnd {
            let (n, wire) = try r.tag()
            switch (n, wire) {
            case (1, 2): out["$ref"] = .string(try text(&r))
            case (2, 2): out["format"] = .string(try text(&r))
            case (4, 2): out["description"] = .string(try text(&r))
            case (5, 2): out["default"] = try anyValue(try r.lengthDelimited())
            case (11, 0): out["maxLength"] = .int(Int64(bitPattern: try r.varint()))
            case (19, 2): append("required", .string(try text(&r)))
            case (20, 2): append("enum", try anyValue(try r.lengthDelimited()))
            case (21, 2):
                var item = Reader(bytes: try r.lengthDelimited())
                let (m, w) = try item.tag()
                if m == 1, w == 2 { out["additionalProperties"] = try schema(try item.lengthDelimited()) }
                else if m == 2, w == 0 { out["additionalProperties"] = .bool(try item.varint() != 0) }
                else { throw Unexpected(description: "AdditionalPropertiesItem field \(m)") }
            case (22, 2):
                var item = Reader(bytes: try r.lengthDelimited())
                var types: [JSON] = []
                while !item.atEnd { _ = try item.tag(); types.append(.string(try text(&item))) }
                // Swagger writes a single type as a plain string.
                out["type"] = types.count == 1 ? types[0] : .array(types)
            case (23, 2):
                var item = Reader(bytes: try r.lengthDelimited())
                var schemas: [JSON] = []
                while !item.atEnd { _ = try item.tag(); schemas.append(try schema(try item.lengthDelimited())) }
                out["items"] = schemas.count == 1 ? schemas[0] : .array(schemas)
            case (24, 2): append("allOf", try schema(try r.lengthDelimited()))
            case (25, 2): out["properties"] = try namedSchemas(try r.lengthDelimited())
            case (31, 2): try namedAny(try r.lengthDelimited(), into: &out)
            default: throw Unexpected(description: "Schema field \(n) (wire \(wire))")
            }
        }
        return .object(out)
    }

    /// NamedAny {1: name, 2: Any {2: yaml}}; our encoder writes the YAML as JSON text.
    static func namedAny(_ bytes: ArraySlice<UInt8>, into out: inout JSONObject) throws {
        var r = Reader(bytes: bytes)
        var name = ""
        var value: JSON = .null
        while !r.atEnd {
            let (n, _) = try r.tag()
            switch n {
            case 1: name = try text(&r)
            case 2: value = try anyValue(try r.lengthDelimited())
            default: throw Unexpected(description: "NamedAny field \(n)")
            }
        }
        out[name] = value
    }

    static func anyValue(_ bytes: ArraySlice<UInt8>) throws -> JSON {
        var r = Reader(bytes: bytes)
        var value: JSON = .null
        while !r.atEnd {
            let (n, _) = try r.tag()
            guard n == 2 else { throw Unexpected(description: "Any field \(n): only the yaml form is expected") }
            value = try JSONParser.parse(Array(try r.lengthDelimited()))
        }
        return value
    }

    static func text(_ r: inout Reader) throws -> String {
        String(decoding: try r.lengthDelimited(), as: UTF8.self)
    }
}
