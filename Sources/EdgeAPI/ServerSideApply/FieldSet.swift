/// A set of field paths (upstream's fieldpath.Set), as a tree keyed by each
/// step's FieldsV1 key: `member` says the path that leads to this node is in
/// the set; `children` hold longer paths. The root's `member` is unused. Empty
/// nodes are never kept, so `isEmpty` is a constant-time check.
public struct FieldSet: Sendable, Equatable {
    public var member = false
    public var children: [String: FieldSet] = [:]

    public init() {}

    public var isEmpty: Bool { !member && children.isEmpty }

    /// Adds one path (FieldsV1 keys from the root).
    public mutating func insert(_ path: ArraySlice<String>) {
        guard let first = path.first else { member = true; return }
        children[first, default: FieldSet()].insert(path.dropFirst())
    }

    public mutating func insert(_ path: [String]) { insert(path[...]) }

    public func contains(_ path: [String]) -> Bool {
        var node = self
        for step in path {
            guard let next = node.children[step] else { return false }
            node = next
        }
        return node.member
    }

    /// The node at a path (empty when the set has nothing there).
    public func child(_ step: String) -> FieldSet { children[step] ?? FieldSet() }

    // Set operations walk the smaller side's children and copy the bigger one (copy-on-write), so a
    // big map's fields against a few others cost what the few cost.

    public func union(_ other: FieldSet) -> FieldSet {
        if other.isEmpty { return self }
        if isEmpty { return other }
        let (big, small) = children.count >= other.children.count ? (self, other) : (other, self)
        var out = big
        out.member = member || other.member
        for (k, v) in small.children {
            out.children[k] = big.children[k].map { $0.union(v) } ?? v
        }
        return out
    }

    public func subtracting(_ other: FieldSet) -> FieldSet {
        if isEmpty || other.isEmpty { return self }
        var out = self
        out.member = member && !other.member
        if other.children.count <= children.count {
            for (k, o) in other.children {
                guard let v = out.children[k] else { continue }
                let d = v.subtracting(o)
                out.children[k] = d.isEmpty ? nil : d
            }
        } else {
            for (k, v) in children {
                guard let o = other.children[k] else { continue }
                let d = v.subtracting(o)
                out.children[k] = d.isEmpty ? nil : d
            }
        }
        return out
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var out = FieldSet()
        out.member = member && other.member
        let (small, big) = children.count <= other.children.count ? (self, other) : (other, self)
        for (k, v) in small.children {
            guard let o = big.children[k] else { continue }
            let i = v.intersection(o)
            if !i.isEmpty { out.children[k] = i }
        }
        return out
    }

    /// Every path in the set, in upstream's order (each as its FieldsV1 keys).
    public func paths() -> [[String]] {
        var out: [[String]] = []
        func walk(_ node: FieldSet, _ prefix: [String]) {
            if node.member, !prefix.isEmpty { out.append(prefix) }
            for k in Self.sortedKeys(node.children) { walk(node.children[k]!, prefix + [k]) }
        }
        walk(self, [])
        return out
    }

    /// A path as upstream prints it in conflicts: `.spec.containers[name="app"].image`.
    public static func pathText(_ path: [String]) -> String {
        path.map { PathElement(text: $0)?.pathText ?? $0 }.joined()
    }

    static func sortedKeys(_ children: [String: FieldSet]) -> [String] {
        // Only field names (a big map's keys): their bytes after the common "f:" decide the order.
        if children.keys.allSatisfy({ $0.utf8.first == UInt8(ascii: "f") }) {
            return children.keys.sorted { PathElement.utf8Less($0, $1) }
        }
        return children.keys.map { ($0, PathElement(text: $0)) }.sorted { a, b in
            switch (a.1, b.1) {
            case (let x?, let y?): return PathElement.less(x, y)
            default: return PathElement.utf8Less(a.0, b.0)
            }
        }.map(\.0)
    }

    // MARK: FieldsV1

    /// The FieldsV1 document: `{"f:spec":{"f:replicas":{}}}`, a node that is both a member and a parent
    /// carrying `".":{}` first, keys in upstream's order.
    public var fieldsV1: JSON {
        var o = JSONObject()
        if member, !children.isEmpty { o["."] = .object(JSONObject()) }
        for k in Self.sortedKeys(children) { o[k] = children[k]!.fieldsV1 }
        return .object(o)
    }

    /// Reads a FieldsV1 document; nil when it is not one (unknown key prefixes, non-object values).
    public init?(fieldsV1 json: JSON) {
        guard let o = json.object else { return nil }
        for (k, v) in o {
            if k == "." {
                guard v.object?.isEmpty == true else { return nil }
                member = true
                continue
            }
            // Field names are canonical as they stand; keys and values are re-encoded canonically.
            let canonical: String
            if k.hasPrefix("f:") { canonical = k } else {
                guard let element = PathElement(text: k) else { return nil }
                canonical = element.text
            }
            var node: FieldSet
            if let o = v.object, o.isEmpty {
                node = FieldSet()
                node.member = true // a leaf (`{}`) is a member; a parent is a member only with "."
            } else {
                guard let child = FieldSet(fieldsV1: v) else { return nil }
                node = child
            }
            if let existing = children[canonical] { node = existing.union(node) }
            children[canonical] = node
        }
    }
}
