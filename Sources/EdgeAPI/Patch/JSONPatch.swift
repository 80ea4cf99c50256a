/// RFC 6902 JSON Patch: add, remove, replace, move, copy, test.
public enum JSONPatch {
    public static func apply(_ patch: JSON, to doc: JSON) throws -> JSON {
        guard let ops = patch.array else { throw PatchError("a JSON patch must be an array of operations, got \(patch.typeName)") }
        var out = doc
        for (i, op) in ops.enumerated() {
            guard let name = op["op"]?.string else { throw PatchError("operation \(i) has no \"op\"") }
            guard let path = op["path"]?.string else { throw PatchError("operation \(i) (\(name)) has no \"path\"") }
            let tokens = try pointer(path)
            switch name {
            case "add":
                guard let v = op["value"] else { throw PatchError("add operation \(i) has no \"value\"") }
                try set(&out, tokens, v, insert: true)
            case "remove":
                _ = try remove(&out, tokens)
            case "replace":
                guard let v = op["value"] else { throw PatchError("replace operation \(i) has no \"value\"") }
                _ = try get(out, tokens)
                try set(&out, tokens, v, insert: false)
            case "move":
                guard let from = op["from"]?.string else { throw PatchError("move operation \(i) has no \"from\"") }
                let v = try remove(&out, try pointer(from))
                try set(&out, tokens, v, insert: true)
            case "copy":
                guard let from = op["from"]?.string else { throw PatchError("copy operation \(i) has no \"from\"") }
                try set(&out, tokens, try get(out, try pointer(from)), insert: true)
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

    static func set(_ doc: inout JSON, _ tokens: [String], _ value: JSON, insert: Bool) throws {
        guard let first = tokens.first else { doc = value; return }
        let rest = Array(tokens.dropFirst())
        switch doc {
        case .object(var o):
            if rest.isEmpty {
                o[first] = value
            } else {
                guard var child = o[first] else { throw PatchError("doc is missing path: /\(tokens.joined(separator: "/"))") }
                try set(&child, rest, value, insert: insert)
                o[first] = child
            }
            doc = .object(o)
        case .array(var a):
            if rest.isEmpty {
                let i = try index(first, count: a.count, allowEnd: insert)
                if insert { a.insert(value, at: i) } else { a[i] = value }
            } else {
                let i = try index(first, count: a.count, allowEnd: false)
                try set(&a[i], rest, value, insert: insert)
            }
            doc = .array(a)
        default:
            throw PatchError("doc is missing path: /\(tokens.joined(separator: "/"))")
        }
    }

    static func remove(_ doc: inout JSON, _ tokens: [String]) throws -> JSON {
        guard let first = tokens.first else { throw PatchError("cannot remove the whole document") }
        let rest = Array(tokens.dropFirst())
        switch doc {
        case .object(var o):
            guard var child = o[first] else { throw PatchError("unable to remove nonexistent key: \(first): missing value") }
            if rest.isEmpty {
                o[first] = nil
                doc = .object(o)
                return child
            }
            let v = try remove(&child, rest)
            o[first] = child
            doc = .object(o)
            return v
        case .array(var a):
            let i = try index(first, count: a.count, allowEnd: false)
            if rest.isEmpty {
                let v = a.remove(at: i)
                doc = .array(a)
                return v
            }
            let v = try remove(&a[i], rest)
            doc = .array(a)
            return v
        default:
            throw PatchError("doc is missing path: /\(tokens.joined(separator: "/"))")
        }
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
