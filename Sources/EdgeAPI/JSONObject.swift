/// An ordered JSON object. Kubernetes objects have tens of keys at most, and
/// for those a pair of arrays with linear lookup beats hashing in both speed
/// and memory. A client decides how many keys a map holds, though (a ConfigMap
/// may carry hundreds of thousands): past `indexThreshold` keys the object
/// also keeps a key → position table, so lookups, inserts and parsing stay
/// linear in the size of the object instead of quadratic.
public struct JSONObject: Sendable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [JSON] = []
    /// Position of each key; nil while the object is small enough to scan.
    private var positions: [String: Int]?

    /// Objects with more keys than this are indexed.
    static let indexThreshold = 32

    public init() {}

    public init(_ pairs: [(String, JSON)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// From keys known to be distinct (an existing object's, possibly shared
    /// with other objects) and their values, position by position.
    public init(uniqueKeys: [String], values: [JSON]) {
        precondition(uniqueKeys.count == values.count, "one value per key")
        keys = uniqueKeys
        self.values = values
        if keys.count > Self.indexThreshold { buildIndex() }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func index(of key: String) -> Int? {
        if let positions { return positions[key] }
        for i in keys.indices where keys[i] == key { return i }
        return nil
    }

    /// Setting nil removes the key; setting a new key appends it.
    public subscript(key: String) -> JSON? {
        get {
            guard let i = index(of: key) else { return nil }
            return values[i]
        }
        set {
            if let i = index(of: key) {
                if let newValue { values[i] = newValue } else { remove(at: i) }
            } else if let newValue {
                append(key, newValue)
            }
        }
    }

    /// Appends without checking for an existing key (parser fast path; the parser
    /// checks duplicates itself).
    mutating func appendUnchecked(_ key: String, _ value: JSON) {
        append(key, value)
    }

    /// Replaces the value at a position `index(of:)` returned.
    mutating func replaceValue(at i: Int, with value: JSON) {
        values[i] = value
    }

    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = index(of: key) else { return nil }
        let v = values[i]
        remove(at: i)
        return v
    }

    private mutating func append(_ key: String, _ value: JSON) {
        keys.append(key)
        values.append(value)
        if positions != nil {
            positions![key] = keys.count - 1
        } else if keys.count > Self.indexThreshold {
            buildIndex()
        }
    }

    private mutating func remove(at i: Int) {
        keys.remove(at: i)
        values.remove(at: i)
        guard positions != nil else { return }
        // Positions after i moved down by one: removing from the middle of a big
        // object already costs O(n) for the arrays, so rebuilding costs no more.
        if keys.count > Self.indexThreshold { buildIndex() } else { positions = nil }
    }

    private mutating func buildIndex() {
        var p = [String: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { p[k] = i }
        positions = p
    }

    public func makeIterator() -> AnyIterator<(key: String, value: JSON)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[i])
        }
    }

    /// Keys sorted, for output that must be deterministic (Go sorts map keys).
    public var sortedKeys: [String] { keys.sorted() }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        // Same keys in the same order is the common case (an object and its copy):
        // compare position by position without a lookup per key.
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (i, k) in lhs.keys.enumerated() {
            guard let r = rhs[k], r == lhs.values[i] else { return false }
        }
        return true
    }
}
