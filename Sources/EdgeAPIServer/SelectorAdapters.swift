import EdgeAPI

/// labelSelector query parameter. (Interim: equality and existence only.)
struct LabelSelectorString: Sendable {
    enum Req: Sendable { case eq(String, String), ne(String, String), exists(String), absent(String) }
    var reqs: [Req] = []

    init(_ s: String) throws {
        for part in s.split(separator: ",") {
            let p = part.trimmingCharacters(in: " ")
            if let r = p.firstRange(of: "!=") {
                reqs.append(.ne(String(p[..<r.lowerBound]).trimmingCharacters(in: " "), String(p[r.upperBound...]).trimmingCharacters(in: " ")))
            } else if let r = p.firstRange(of: "==") ?? p.firstRange(of: "=") {
                reqs.append(.eq(String(p[..<r.lowerBound]).trimmingCharacters(in: " "), String(p[r.upperBound...]).trimmingCharacters(in: " ")))
            } else if p.hasPrefix("!") {
                reqs.append(.absent(String(p.dropFirst())))
            } else {
                reqs.append(.exists(p))
            }
        }
    }

    func matches(_ labels: JSONObject?) -> Bool {
        for r in reqs {
            switch r {
            case .eq(let k, let v): if labels?[k]?.string != v { return false }
            case .ne(let k, let v): if labels?[k]?.string == v { return false }
            case .exists(let k): if labels?[k] == nil { return false }
            case .absent(let k): if labels?[k] != nil { return false }
            }
        }
        return true
    }
}

/// fieldSelector query parameter. (Interim: =, ==, !=.)
struct FieldSelectorString: Sendable {
    var reqs: [(path: String, value: String, negate: Bool)] = []

    init(_ s: String, allowed: [String], resource: ResourceInfo) throws {
        for part in s.split(separator: ",") {
            let p = String(part)
            let negate = p.contains("!=")
            let sep = negate ? "!=" : (p.contains("==") ? "==" : "=")
            guard let r = p.firstRange(of: sep) else { throw APIError.badRequest("invalid selector: '\(s)'; can't understand '\(p)'") }
            let path = String(p[..<r.lowerBound])
            guard allowed.contains(path) else {
                throw APIError.badRequest("field label not supported: \(path)")
            }
            reqs.append((path, String(p[r.upperBound...]), negate))
        }
    }

    func matches(_ obj: JSON) -> Bool {
        for r in reqs {
            let v = obj[path: r.path.split(separator: ".").map(String.init)]
            let s: String
            switch v {
            case .string(let x): s = x
            case .bool(let b): s = b ? "true" : "false"
            case .int(let i): s = String(i)
            default: s = ""
            }
            if (s == r.value) == r.negate { return false }
        }
        return true
    }
}

extension Substring {
    func trimmingCharacters(in c: Character) -> String {
        var s = self
        while s.first == c { s.removeFirst() }
        while s.last == c { s.removeLast() }
        return String(s)
    }
}

extension String {
    func trimmingCharacters(in c: Character) -> String { Substring(self).trimmingCharacters(in: c) }
}
