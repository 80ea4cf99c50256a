/// One step of a field path, as upstream's structured-merge-diff names it:
/// an object field (`f:name`), a map-list element by its keys
/// (`k:{"containerPort":80,"protocol":"TCP"}`), a set element by its value
/// (`v:"foo"`), or a list element by position (`i:0`). Its FieldsV1 key
/// (`text`) is canonical (key fields sorted, compact JSON), so sets can be
/// keyed by it.
public enum PathElement: Sendable, Equatable {
    case field(String)
    case key([(String, JSON)])
    case value(JSON)
    case index(Int)

    public static func == (a: PathElement, b: PathElement) -> Bool { a.text == b.text }

    /// The FieldsV1 key.
    public var text: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let fields):
            var o = JSONObject()
            for (k, v) in fields.sorted(by: { Self.utf8Less($0.0, $1.0) }) { o[k] = Self.canonical(v) }
            return "k:" + JSONSerializer.string(.object(o))
        case .value(let v): return "v:" + JSONSerializer.string(Self.canonical(v))
        case .index(let i): return "i:\(i)"
        }
    }

    /// Parses a FieldsV1 key; nil when it is not one.
    public init?(text: String) {
        guard text.count >= 2, text.dropFirst().first == ":" else { return nil }
        let body = String(text.dropFirst(2))
        switch text.first {
        case "f": self = .field(body)
        case "k":
            guard let o = (try? JSONParser.parse(body))?.object, !o.isEmpty else { return nil }
            self = .key(o.map { ($0.key, $0.value) })
        case "v":
            guard let v = try? JSONParser.parse(body) else { return nil }
            self = .value(v)
        case "i":
            guard let i = Int(body), i >= 0 else { return nil }
            self = .index(i)
        default: return nil
        }
    }

    /// As upstream prints a path in conflicts: `.spec`, `[name="nginx"]`, `[="a"]`, `[0]`.
    public var pathText: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let fields):
            return "[" + fields.sorted(by: { Self.utf8Less($0.0, $1.0) })
                .map { "\($0.0)=\(JSONSerializer.string(Self.canonical($0.1)))" }.joined(separator: ",") + "]"
        case .value(let v): return "[=" + JSONSerializer.string(Self.canonical(v)) + "]"
        case .index(let i): return "[\(i)]"
        }
    }

    /// Upstream's order of path elements: fields, then keys, values, indexes; each by content.
    public static func less(_ a: PathElement, _ b: PathElement) -> Bool {
        switch (a, b) {
        case (.field(let x), .field(let y)): return utf8Less(x, y)
        case (.key(let x), .key(let y)):
            let xs = x.sorted { utf8Less($0.0, $1.0) }, ys = y.sorted { utf8Less($0.0, $1.0) }
            for (p, q) in zip(xs, ys) {
                if p.0 != q.0 { return utf8Less(p.0, q.0) }
                let c = compare(p.1, q.1)
                if c != 0 { return c < 0 }
            }
            return xs.count < ys.count
        case (.value(let x), .value(let y)): return compare(x, y) < 0
        case (.index(let x), .index(let y)): return x < y
        default: return a.rank < b.rank
        }
    }

    var rank: Int {
        switch self {
        case .field: return 0
        case .key: return 1
        case .value: return 2
        case .index: return 3
        }
    }

    static func utf8Less(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Numbers by value, strings by bytes, other values by their JSON text; different types by type.
    static func compare(_ a: JSON, _ b: JSON) -> Int {
        func typeRank(_ v: JSON) -> Int {
            switch v {
            case .null: return 0
            case .bool: return 1
            case .int, .double: return 2
            case .string: return 3
            case .array: return 4
            case .object: return 5
            }
        }
        let ra = typeRank(a), rb = typeRank(b)
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.int, _), (.double, _):
            let x = a.double ?? 0, y = b.double ?? 0
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.string(let x), .string(let y)): return x == y ? 0 : (utf8Less(x, y) ? -1 : 1)
        default:
            let x = JSONSerializer.string(canonical(a)), y = JSONSerializer.string(canonical(b))
            return x == y ? 0 : (utf8Less(x, y) ? -1 : 1)
        }
    }

    /// Objects with their keys sorted, all the way down (Go marshals maps so).
    static func canonical(_ v: JSON) -> JSON {
        switch v {
        case .object(let o):
            var out = JSONObject()
            for k in o.keys.sorted(by: utf8Less) { out[k] = canonical(o[k]!) }
            return .object(out)
        case .array(let a): return .array(a.map(canonical))
        default: return v
        }
    }
}
