/// Reads `application/vnd.kubernetes.protobuf` bodies into the JSON form the
/// rest of the server works on. kubectl sends typed objects this way.
public enum ProtobufDecoder {
    public struct DecodeError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// "k8s\0": the magic prefix of every Kubernetes protobuf document.
    public static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// Decodes an enveloped object (runtime.Unknown with TypeMeta and raw bytes).
    public static func decode(_ bytes: [UInt8], schema: ProtobufSchema = .shared) throws(DecodeError) -> JSON {
        guard bytes.count >= 4, Array(bytes[0..<4]) == magic else {
            throw DecodeError(description: "not a Kubernetes protobuf document (missing the k8s\\0 prefix)")
        }
        var apiVersion = "", kind = ""
        var raw: ArraySlice<UInt8> = []
        var r = Reader(bytes: bytes[4...])
        while !r.atEnd {
            let (num, wire) = try r.tag()
            switch (num, wire) {
            case (1, 2):
                var tm = Reader(bytes: try r.lengthDelimited())
                while !tm.atEnd {
                    let (n, w) = try tm.tag()
                    if n == 1, w == 2 { apiVersion = String(decoding: try tm.lengthDelimited(), as: UTF8.self) }
                    else if n == 2, w == 2 { kind = String(decoding: try tm.lengthDelimited(), as: UTF8.self) }
                    else { try tm.skip(w) }
                }
            case (2, 2): raw = try r.lengthDelimited()
            default: try r.skip(wire)
            }
        }
        guard let name = schema.messageName(apiVersion: apiVersion, kind: kind) else {
            throw DecodeError(description: "protobuf is not supported for \(kind) (\(apiVersion)); send JSON")
        }
        var obj = JSONObject()
        if !apiVersion.isEmpty { obj["apiVersion"] = .string(apiVersion) }
        if !kind.isEmpty { obj["kind"] = .string(kind) }
        let body = try message(raw, name, schema)
        for (k, v) in body.object ?? JSONObject() { obj[k] = v }
        return .object(obj)
    }

    static func message(_ bytes: ArraySlice<UInt8>, _ name: String, _ schema: ProtobufSchema) throws(DecodeError) -> JSON {
        switch name {
        case "k8s.io.apimachinery.pkg.api.resource.Quantity":
            return .string(try firstString(bytes, field: 1))
        case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
            return try intOrString(bytes)
        case "k8s.io.apimachinery.pkg.apis.meta.v1.Time", "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime":
            return try time(bytes, micro: name.hasSuffix("MicroTime"))
        case "k8s.io.apimachinery.pkg.apis.meta.v1.Duration":
            var r = Reader(bytes: bytes)
            var nanos: Int64 = 0
            while !r.atEnd { let (n, w) = try r.tag(); if n == 1, w == 0 { nanos = Int64(bitPattern: try r.varint()) } else { try r.skip(w) } }
            return .string(GoDuration.format(nanoseconds: nanos))
        case "k8s.io.apimachinery.pkg.runtime.RawExtension", "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1":
            let raw = try firstBytes(bytes, field: 1)
            if raw.isEmpty { return .null }
            do { return try JSONParser.parse(Array(raw)) } catch {
                throw DecodeError(description: "embedded object is not JSON: \(error)")
            }
        default: break
        }
        guard let msg = schema.messages[name] else { throw DecodeError(description: "unknown protobuf message \(name)") }
        var out = JSONObject()
        // Repeated and map fields arrive one element at a time: they are gathered here and
        // put in place once, so a list of n elements costs O(n) and not a copy per element.
        var lists: [String: [JSON]] = [:]
        var maps: [String: JSONObject] = [:]
        var r = Reader(bytes: bytes)
        while !r.atEnd {
            let (num, wire) = try r.tag()
            guard let f = msg.fields[num] else { try r.skip(wire); continue }
            switch f.type {
            case .repeated(let t):
                if out[f.name] == nil { out[f.name] = .array([]) } // holds the field's place among the others
                var arr = lists.removeValue(forKey: f.name) ?? []
                if wire == 2, t.isPackable {
                    var packed = Reader(bytes: try r.lengthDelimited())
                    while !packed.atEnd { arr.append(try scalar(&packed, t, wire: t == .double ? 1 : 0)) }
                } else {
                    arr.append(try value(&r, t, wire: wire, schema))
                }
                lists[f.name] = arr
            case .map(let t):
                var entry = Reader(bytes: try r.lengthDelimited())
                var key = ""
                var val: JSON = t.zeroValue
                while !entry.atEnd {
                    let (n, w) = try entry.tag()
                    if n == 1 { key = String(decoding: try entry.lengthDelimited(), as: UTF8.self) }
                    else if n == 2 { val = try value(&entry, t, wire: w, schema) }
                    else { try entry.skip(w) }
                }
                if out[f.name] == nil { out[f.name] = .object(JSONObject()) }
                var m = maps.removeValue(forKey: f.name) ?? JSONObject()
                m[key] = val
                maps[f.name] = m
            default:
                let v = try value(&r, f.type, wire: wire, schema)
                if f.inline, let inner = v.object {
                    for (k, x) in inner { out[k] = x }
                    continue
                }
                // Go's JSON omits zero scalars that are not pointers (omitempty), so do we.
                if !f.pointer, v.isZeroScalar { continue }
                out[f.name] = v
            }
        }
        for (k, v) in lists { out[k] = .array(v) }
        for (k, v) in maps { out[k] = .object(v) }
        if msg.listWrapper { return out["items"] ?? .array([]) }
        return .object(out)
    }

    static func value(_ r: inout Reader, _ t: ProtobufSchema.FieldType, wire: Int, _ schema: ProtobufSchema) throws(DecodeError) -> JSON {
        switch t {
        case .message(let name): return try message(try r.lengthDelimited(), name, schema)
        case .string: return .string(String(decoding: try r.lengthDelimited(), as: UTF8.self))
        case .bytes: return .string(Base64.encode(Array(try r.lengthDelimited())))
        default: return try scalar(&r, t, wire: wire)
        }
    }

    static func scalar(_ r: inout Reader, _ t: ProtobufSchema.FieldType, wire: Int) throws(DecodeError) -> JSON {
        switch (t, wire) {
        case (.bool, 0): return .bool(try r.varint() != 0)
        // A proto int32 is sign-extended to 64 bits on the wire; Go keeps the low 32.
        case (.int32, 0): return .int(Int64(Int32(truncatingIfNeeded: try r.varint())))
        case (.int64, 0): return .int(Int64(bitPattern: try r.varint()))
        case (.double, 1): return .double(Double(bitPattern: try r.fixed64()))
        case (.double, 5): return .double(Double(Float(bitPattern: try r.fixed32())))
        default: throw DecodeError(description: "unexpected wire type \(wire) for a \(t) field")
        }
    }

    static func firstString(_ bytes: ArraySlice<UInt8>, field: Int) throws(DecodeError) -> String {
        String(decoding: try firstBytes(bytes, field: field), as: UTF8.self)
    }

    static func firstBytes(_ bytes: ArraySlice<UInt8>, field: Int) throws(DecodeError) -> ArraySlice<UInt8> {
        var r = Reader(bytes: bytes)
        var found: ArraySlice<UInt8> = []
        while !r.atEnd {
            let (n, w) = try r.tag()
            if n == field, w == 2 { found = try r.lengthDelimited() } else { try r.skip(w) }
        }
        return found
    }

    static func intOrString(_ bytes: ArraySlice<UInt8>) throws(DecodeError) -> JSON {
        var r = Reader(bytes: bytes)
        var type: UInt64 = 0, intVal: Int64 = 0, strVal = ""
        while !r.atEnd {
            let (n, w) = try r.tag()
            switch (n, w) {
            case (1, 0): type = try r.varint()
            case (2, 0): intVal = Int64(Int32(truncatingIfNeeded: Int64(bitPattern: try r.varint())))
            case (3, 2): strVal = String(decoding: try r.lengthDelimited(), as: UTF8.self)
            default: try r.skip(w)
            }
        }
        return type == 1 ? .string(strVal) : .int(intVal)
    }

    static func time(_ bytes: ArraySlice<UInt8>, micro: Bool) throws(DecodeError) -> JSON {
        var r = Reader(bytes: bytes)
        var seconds: Int64 = 0, nanos: Int32 = 0
        while !r.atEnd {
            let (n, w) = try r.tag()
            if n == 1, w == 0 { seconds = Int64(bitPattern: try r.varint()) }
            else if n == 2, w == 0 { nanos = Int32(truncatingIfNeeded: Int64(bitPattern: try r.varint())) }
            else { try r.skip(w) }
        }
        // Go's zero time.Time marshals as null.
        if seconds == -62135596800 || (seconds == 0 && nanos == 0) { return .null }
        let t = Timestamp(seconds: seconds, nanoseconds: nanos)
        return .string(micro ? t.rfc3339Micro : t.rfc3339)
    }

    /// Protobuf wire-format reader over a byte slice.
    struct Reader {
        var bytes: ArraySlice<UInt8>
        var pos: Int
        init(bytes: ArraySlice<UInt8>) { self.bytes = bytes; self.pos = bytes.startIndex }
        var atEnd: Bool { pos >= bytes.endIndex }

        mutating func varint() throws(DecodeError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard pos < bytes.endIndex, shift < 64 else { throw DecodeError(description: "truncated or oversized varint") }
                let b = bytes[pos]
                pos += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }

        /// Field numbers are at most 2^29 - 1 (protobuf's limit; also what a 32-bit Int holds safely).
        mutating func tag() throws(DecodeError) -> (Int, Int) {
            let v = try varint()
            // Field numbers are at most 2^29 - 1; anything larger is malformed (and would not fit Int on 32-bit ARM).
            guard v >> 3 <= UInt64(Int32.max) else { throw DecodeError(description: "field number out of range") }
            return (Int(v >> 3), Int(v & 7))
        }

        mutating func lengthDelimited() throws(DecodeError) -> ArraySlice<UInt8> {
            let n = try varint()
            guard n <= UInt64(bytes.endIndex - pos) else { throw DecodeError(description: "length past end of message") }
            let s = bytes[pos..<pos + Int(n)]
            pos += Int(n)
            return s
        }

        mutating func fixed64() throws(DecodeError) -> UInt64 {
            guard bytes.endIndex - pos >= 8 else { throw DecodeError(description: "truncated fixed64") }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[pos + i]) << (8 * UInt64(i)) }
            pos += 8
            return v
        }

        mutating func fixed32() throws(DecodeError) -> UInt32 {
            guard bytes.endIndex - pos >= 4 else { throw DecodeError(description: "truncated fixed32") }
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[pos + i]) << (8 * UInt32(i)) }
            pos += 4
            return v
        }

        mutating func skip(_ wire: Int) throws(DecodeError) {
            switch wire {
            case 0: _ = try varint()
            case 1: _ = try fixed64()
            case 2: _ = try lengthDelimited()
            case 5: _ = try fixed32()
            default: throw DecodeError(description: "unsupported wire type \(wire)")
            }
        }
    }
}

extension ProtobufSchema.FieldType {
    var isPackable: Bool { self == .int32 || self == .int64 || self == .bool || self == .double }
    var zeroValue: JSON {
        switch self {
        case .string, .bytes: return ""
        case .int32, .int64: return 0
        case .bool: return false
        case .double: return 0.0
        default: return .null
        }
    }
}

extension JSON {
    var isZeroScalar: Bool {
        switch self {
        case .string(let s): return s.isEmpty
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .bool(let b): return !b
        default: return false
        }
    }
}

/// Go's time.Duration text form ("1h2m3s", "500ms").
enum GoDuration {
    static func format(nanoseconds n: Int64) -> String {
        if n == 0 { return "0s" }
        if abs(n) < 1_000_000_000 {
            if abs(n) < 1000 { return "\(n)ns" }
            if abs(n) < 1_000_000 { return "\(Double(n) / 1000)µs" }
            return "\(Double(n) / 1_000_000)ms"
        }
        var s = ""
        var rem = abs(n)
        let h = rem / 3_600_000_000_000; rem %= 3_600_000_000_000
        let m = rem / 60_000_000_000; rem %= 60_000_000_000
        if h > 0 { s += "\(h)h" }
        if h > 0 || m > 0 { s += "\(m)m" }
        let secs = Double(rem) / 1e9
        s += secs == secs.rounded() ? "\(Int64(secs))s" : "\(secs)s"
        return (n < 0 ? "-" : "") + s
    }
}
