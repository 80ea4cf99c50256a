/// An ordered JSON object. Kubernetes objects have tens of keys at most, so a
/// pair of arrays with linear lookup beats hashing in both speed and memory.
public struct JSONObject: Sendable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [JSON] = []

    public init() {}

    public init(_ pairs: [(String, JSON)]) {
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func index(of key: String) -> Int? {
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
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Appends without checking for an existing key (parser fast path; the parser
    /// checks duplicates itself).
    mutating func appendUnchecked(_ key: String, _ value: JSON) {
        keys.append(key)
        values.append(value)
    }

    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = index(of: key) else { return nil }
        keys.remove(at: i)
        return values.remove(at: i)
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
        for (i, k) in lhs.keys.enumerated() {
            guard let r = rhs[k], r == lhs.values[i] else { return false }
        }
        return true
    }
}
