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

    public func union(_ other: FieldSet) -> FieldSet {
        if other.isEmpty { return self }
        if isEmpty { return other }
        var out = self
        out.member = member || other.member
        for (k, v) in other.children {
            out.children[k] = children[k].map { $0.union(v) } ?? v
        }
        return out
    }

    public func subtracting(_ other: FieldSet) -> FieldSet {
        if isEmpty || other.isEmpty { return self }
        var out = FieldSet()
        out.member = member && !other.member
        for (k, v) in children {
            if let o = other.children[k] {
                let d = v.subtracting(o)
                if !d.isEmpty { out.children[k] = d }
            } else {
                out.children[k] = v
            }
        }
        return out
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var out = FieldSet()
        out.member = member && other.member
        for (k, v) in children {
            guard let o = other.children[k] else { continue }
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
        children.keys.map { ($0, PathElement(text: $0)) }.sorted { a, b in
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
            guard let element = PathElement(text: k), let child = FieldSet(fieldsV1: v) else { return nil }
            var node = child
            // A leaf (`{}`) is a member; a parent is a member only with ".".
            if v.object?.isEmpty == true { node.member = true }
            children[element.text, default: FieldSet()] = children[element.text, default: FieldSet()].union(node)
        }
    }
}
