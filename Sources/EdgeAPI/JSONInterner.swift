/// Makes equal parts of many JSON documents share storage (hash-consing), so a
/// cache of thousands of similar objects holds each repeated part once.
///
/// Objects made from one template (the pods of a ReplicaSet, the nodes of a
/// cluster) repeat most of their content: container specs, tolerations, key
/// lists, condition types, image names. A parsed document allocates every
/// string longer than 15 bytes, every array and every object (a key array and
/// a value array) afresh; about 9.6 KB for a typical 2 KB pod. Interning
/// replaces each part with an equal one seen before, so JSON's copy-on-write
/// storage is shared, and only the parts that differ (names, uids, addresses)
/// take memory of their own.
///
/// The table is bounded: past `limit` entries it is cleared and refilled from
/// the next documents, so values that were unique (uids, names) do not pile up.
/// Documents interned before a clear keep their shared parts; the cost of a
/// clear is at most one more copy of each repeated part.
///
/// Interning keeps key order and exact number types: an interned document
/// serializes to the same bytes as the original.
public struct JSONInterner: Sendable {
    /// Entries (strings, key lists and containers) kept before the table is cleared.
    public let limit: Int
    /// Containers nested deeper than this are kept as they are (the walk recurses).
    public static let maxDepth = 48
    /// Strings this short are stored inline by Swift and gain nothing from sharing;
    /// strings longer than `longestString` are rarely repeated.
    static let longestString = 512

    private var strings: Set<String> = []
    private var keyLists: Set<[String]> = []
    private var containers: Set<Canonical> = []

    public init(limit: Int = 16_384) { self.limit = max(16, limit) }

    /// Entries in the table now (strings, key lists, containers).
    public var count: Int { strings.count + keyLists.count + containers.count }

    /// An equal document whose parts are shared with documents interned before.
    public mutating func intern(_ value: JSON) -> JSON {
        if count > limit { removeAll() }
        return intern(value, depth: 0).value
    }

    public mutating func removeAll() {
        strings.removeAll()
        keyLists.removeAll()
        containers.removeAll()
    }

    private mutating func intern(_ value: JSON, depth: Int) -> Canonical {
        switch value {
        case .null: return Canonical(value: value, hash: 0)
        case .bool(let b): return Canonical(value: value, hash: b ? 1 : 2)
        case .int(let i): return Canonical(value: value, hash: Self.hash(3, i))
        case .double(let d): return Canonical(value: value, hash: Self.hash(4, d.bitPattern))
        case .string(let s):
            let shared = internString(s)
            return Canonical(value: .string(shared), hash: Self.hash(5, shared))
        case .array(let a):
            if depth >= Self.maxDepth { return Canonical(value: value, hash: Self.hash(6, a.count)) }
            var items: [JSON] = []
            items.reserveCapacity(a.count)
            var h = Hasher()
            h.combine(6)
            for x in a {
                let c = intern(x, depth: depth + 1)
                items.append(c.value)
                h.combine(c.hash)
            }
            return share(Canonical(value: .array(items), hash: h.finalize()))
        case .object(let o):
            if depth >= Self.maxDepth { return Canonical(value: value, hash: Self.hash(7, o.count)) }
            var h = Hasher()
            h.combine(7)
            var values: [JSON] = []
            values.reserveCapacity(o.count)
            var keys: [String] = []
            keys.reserveCapacity(o.count)
            for (k, v) in o {
                let key = internString(k)
                keys.append(key)
                h.combine(key)
                let c = intern(v, depth: depth + 1)
                values.append(c.value)
                h.combine(c.hash)
            }
            let sharedKeys = keyLists.insert(keys).memberAfterInsert
            return share(Canonical(value: .object(JSONObject(uniqueKeys: sharedKeys, values: values)), hash: h.finalize()))
        }
    }

    private mutating func internString(_ s: String) -> String {
        let n = s.utf8.count
        guard n > 15 && n <= Self.longestString else { return s }
        return strings.insert(s).memberAfterInsert
    }

    private mutating func share(_ c: Canonical) -> Canonical {
        containers.insert(c).memberAfterInsert
    }

    private static func hash<T: Hashable>(_ tag: Int, _ v: T) -> Int {
        var h = Hasher()
        h.combine(tag)
        h.combine(v)
        return h.finalize()
    }

    /// A value with its structural hash; equal only when identical in shape,
    /// key order and number type (JSON's own == is looser: 1 == 1.0, any key order).
    struct Canonical: Hashable, Sendable {
        var value: JSON
        var hash: Int

        func hash(into h: inout Hasher) { h.combine(hash) }

        static func == (a: Canonical, b: Canonical) -> Bool {
            a.hash == b.hash && JSON.identical(a.value, b.value)
        }
    }
}

extension JSON {
    /// Equal in every byte they would serialize to: same types, same key order.
    /// Shared storage (interned parts) compares in constant time.
    public static func identical(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            if sameStorage(x, y) { return true }
            for i in x.indices where !identical(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.keys == y.keys else { return false }
            if sameStorage(x.values, y.values) { return true }
            for i in x.values.indices where !identical(x.values[i], y.values[i]) { return false }
            return true
        default: return false
        }
    }

    /// Two arrays backed by the same buffer (copies of one value).
    public static func sameStorage<T>(_ x: [T], _ y: [T]) -> Bool {
        guard !x.isEmpty, x.count == y.count else { return x.isEmpty && y.isEmpty }
        return x.withUnsafeBufferPointer { a in y.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
    }
}
