/// RFC 6902 JSON Patch: add, remove, replace, move, copy, test.
/// Bounded as upstream bounds it: what copies may add up to, and (here, for
/// the stack's sake) how deep the result may nest.
public enum JSONPatch {
    /// Upstream's JSONPatchMaxCopyBytes: the total size copy operations may add.
    public static let maxCopyBytes = 3 * 1024 * 1024
    /// Upstream refuses patches with more operations than this (413).
    public static let maxOperations = 10000

    public static func apply(_ patch: JSON, to doc: JSON) throws -> JSON {
        guard let ops = patch.array else { throw PatchError("a JSON patch must be an array of operations, got \(patch.typeName)") }
        var out = doc
        var copied = 0
        // An upper bound of the document's depth, raised by every value put somewhere.
        var depthBound = doc.nestingDepth(stoppingAfter: JSONParser.maxDepth)
        func placing(_ v: JSON, at tokens: [String]) throws {
            depthBound = max(depthBound, tokens.count + v.nestingDepth(stoppingAfter: JSONParser.maxDepth))
            if depthBound > JSONParser.maxDepth {
                throw PatchError("the patched object would nest more than \(JSONParser.maxDepth) levels (exceeded max depth)")
            }
        }
        for (i, op) in ops.enumerated() {
            guard let name = op["op"]?.string else { throw PatchError("operation \(i) has no \"op\"") }
            guard let path = op["path"]?.string else { throw PatchError("operation \(i) (\(name)) has no \"path\"") }
            let tokens = try pointer(path)
            switch name {
            case "add":
                guard let v = op["value"] else { throw PatchError("add operation \(i) has no \"value\"") }
                try placing(v, at: tokens)
                try set(&out, tokens, v, insert: true)
            case "remove":
                _ = try remove(&out, tokens)
            case "replace":
                guard let v = op["value"] else { throw PatchError("replace operation \(i) has no \"value\"") }
                _ = try get(out, tokens)
                try placing(v, at: tokens)
                try set(&out, tokens, v, insert: false)
            case "move":
                guard let from = op["from"]?.string else { throw PatchError("move operation \(i) has no \"from\"") }
                let v = try remove(&out, try pointer(from))
                try placing(v, at: tokens)
                try set(&out, tokens, v, insert: true)
            case "copy":
                guard let from = op["from"]?.string else { throw PatchError("copy operation \(i) has no \"from\"") }
                let v = try get(out, try pointer(from))
                // Each copy can double the document: their total is bounded as upstream bounds it.
                copied += JSONSerializer.serialize(v).count
                if copied > maxCopyBytes {
                    throw PatchError("Unable to complete the copy, the accumulated size increase of copy is \(copied), exceeding the limit \(maxCopyBytes)")
                }
                try placing(v, at: tokens)
                try set(&out, tokens, v, insert: true)
            case "test":
                let actual = try get(out, tokens)
                if actual != (op["value"] ?? .null) { throw PatchError("testing value \(path) failed") }
            default:
                throw PatchError("unexpected kind of operation: \(name)")
            }
        }
        return out
    }

    static func pointer(_ p: String) throws -> [String] {
        if p.isEmpty { return [] }
        guard p.hasPrefix("/") else { throw PatchError("invalid JSON pointer \"\(p)\": must start with /") }
        return p.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            var s = String($0)
            if s.contains("~") {
                s = s.replacingAll("~1", with: "/").replacingAll("~0", with: "~")
            }
            return s
        }
    }

    static func index(_ token: String, count: Int, allowEnd: Bool) throws -> Int {
        if allowEnd && token == "-" { return count }
        guard let i = Int(token), i >= 0, token == String(i), i < count + (allowEnd ? 1 : 0) else {
            throw PatchError("array index \"\(token)\" is out of bounds")
        }
        return i
    }

    static func get(_ doc: JSON, _ tokens: [String]) throws -> JSON {
        var cur = doc
        for t in tokens {
            switch cur {
            case .object(let o):
                guard let v = o[t] else { throw PatchError("doc is missing path: /\(tokens.joined(separator: "/"))") }
                cur = v
            case .array(let a):
                cur = a[try index(t, count: a.count, allowEnd: false)]
            default:
                throw PatchError("doc is missing path: /\(tokens.joined(separator: "/"))")
            }
        }
        return cur
    }

    /// Containers are taken out of `doc` before they change and put back after, so
    /// each operation edits in place instead of copying every container on its path
    /// (a `switch` over `doc` would keep a second reference alive while it runs).
    static func set(_ doc: inout JSON, _ tokens: [String], _ value: JSON, insert: Bool) throws {
        try set(&doc, tokens[...], value, insert: insert, whole: tokens)
    }

    static func set(_ doc: inout JSON, _ tokens: ArraySlice<String>, _ value: JSON, insert: Bool, whole: [String]) throws {
        guard let first = tokens.first else { doc = value; return }
        let rest = tokens.dropFirst()
        if var o = takeObject(&doc) {
            defer { doc = .object(o) }
            if rest.isEmpty {
                o[first] = value
            } else {
                guard let i = o.index(of: first) else { throw PatchError("doc is missing path: /\(whole.joined(separator: "/"))") }
                var child = o.values[i]
                o.replaceValue(at: i, with: .null)
                defer { o.replaceValue(at: i, with: child) }
                try set(&child, rest, value, insert: insert, whole: whole)
            }
        } else if var a = takeArray(&doc) {
            defer { doc = .array(a) }
            if rest.isEmpty {
                let i = try index(first, count: a.count, allowEnd: insert)
                if insert { a.insert(value, at: i) } else { a[i] = value }
            } else {
                let i = try index(first, count: a.count, allowEnd: false)
                try set(&a[i], rest, value, insert: insert, whole: whole)
            }
        } else {
            throw PatchError("doc is missing path: /\(whole.joined(separator: "/"))")
        }
    }

    static func remove(_ doc: inout JSON, _ tokens: [String]) throws -> JSON {
        try remove(&doc, tokens[...])
    }

    static func remove(_ doc: inout JSON, _ tokens: ArraySlice<String>) throws -> JSON {
        guard let first = tokens.first else { throw PatchError("cannot remove the whole document") }
        let rest = tokens.dropFirst()
        if var o = takeObject(&doc) {
            defer { doc = .object(o) }
            guard let i = o.index(of: first) else { throw PatchError("unable to remove nonexistent key: \(first): missing value") }
            if rest.isEmpty { return o.removeValue(forKey: first)! }
            var child = o.values[i]
            o.replaceValue(at: i, with: .null)
            defer { o.replaceValue(at: i, with: child) }
            return try remove(&child, rest)
        } else if var a = takeArray(&doc) {
            defer { doc = .array(a) }
            let i = try index(first, count: a.count, allowEnd: false)
            if rest.isEmpty { return a.remove(at: i) }
            return try remove(&a[i], rest)
        }
        throw PatchError("doc is missing path: /\(tokens.joined(separator: "/"))")
    }

    /// The object in `doc`, moved out (doc is left null), so changing it copies nothing.
    static func takeObject(_ doc: inout JSON) -> JSONObject? {
        guard case .object(let o) = doc else { return nil }
        doc = .null
        return o
    }

    static func takeArray(_ doc: inout JSON) -> [JSON]? {
        guard case .array(let a) = doc else { return nil }
        doc = .null
        return a
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
