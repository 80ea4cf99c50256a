import EdgeAPI

/// labelSelector query parameter.
struct LabelSelectorString: Sendable {
    let selector: LabelSelector

    init(_ s: String) throws {
        do { selector = try LabelSelector.parse(s) } catch {
            throw APIError.badRequest("unable to parse requirement: \(error)".replacingFirst("unable to parse requirement: unable to parse requirement: ", "unable to parse requirement: "))
        }
    }

    func matches(_ labels: JSONObject?) -> Bool { selector.matches(labels) }
}

/// fieldSelector query parameter: =, ==, != on the fields the resource supports.
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

extension String {
    func replacingFirst(_ a: String, _ b: String) -> String {
        guard let r = firstRange(of: a) else { return self }
        return String(self[..<r.lowerBound]) + b + String(self[r.upperBound...])
    }
}
