/// A JSON document as the API server sees it: objects keep their key order so
/// what a client wrote comes back in the same shape, and no field is ever
/// dropped because the server does not know it.
public enum JSON: Sendable {
    case null
    case bool(Bool)
    /// Integers that fit Int64 stay exact (resource counts, generations, ports).
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)
}

extension JSON {
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var object: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }

    /// Integer value; doubles with no fractional part count (JSON has one number type).
    public var int: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e18: return Int64(d)
        default: return nil
        }
    }

    /// An integer saturated into Int32's range: what upstream's int32 fields can
    /// hold. Objects stored before decoding checked ranges may hold more; reading
    /// them this way never traps, on 64-bit or where Int is 32 bits (armv7).
    public var int32: Int32? {
        int.map { Int32(clamping: $0) }
    }

    /// `int32` as an Int, for counts and indexes (safe to convert on every platform).
    public var clampedInt: Int? {
        int32.map { Int($0) }
    }

    public var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The JSON type name, as used in error messages ("expected object, got string").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Member of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSON? {
        get { object?[key] }
        set {
            guard case .object(var o) = self else {
                if let newValue { var o = JSONObject(); o[key] = newValue; self = .object(o) }
                return
            }
            self = .null // drop the reference so the mutation below does not copy
            o[key] = newValue
            self = .object(o)
        }
    }

    /// Value at a path of object keys; nil if any step is missing.
    public subscript(path path: [String]) -> JSON? {
        get {
            var cur: JSON? = self
            for k in path { cur = cur?[k]; if cur == nil { return nil } }
            return cur
        }
        set {
            guard let first = path.first else { if let newValue { self = newValue }; return }
            if path.count == 1 { self[first] = newValue; return }
            var child = self[first] ?? .object(JSONObject())
            if newValue == nil && self[first] == nil { return }
            child[path: Array(path.dropFirst())] = newValue
            self[first] = child
        }
    }

    public static func obj(_ pairs: KeyValuePairs<String, JSON>) -> JSON {
        var o = JSONObject()
        for (k, v) in pairs { o[k] = v }
        return .object(o)
    }
}

extension JSON: Equatable {
    /// Semantic equality: object key order does not matter, 1 == 1.0.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.int, .double), (.double, .int), (.double, .double): return lhs.double == rhs.double
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSON)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}
