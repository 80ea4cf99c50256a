import EdgeAPI

/// labelSelector query parameter.
public struct LabelSelectorString: Sendable {
    let selector: LabelSelector

    public init(_ s: String) throws {
        do { selector = try LabelSelector.parse(s) } catch {
            throw APIError.badRequest("unable to parse requirement: \(error)".replacingFirst("unable to parse requirement: unable to parse requirement: ", "unable to parse requirement: "))
        }
    }

    public func matches(_ labels: JSONObject?) -> Bool { selector.matches(labels) }
}

/// fieldSelector query parameter: =, ==, != on the fields the resource supports.
public struct FieldSelectorString: Sendable {
    var reqs: [(path: String, value: String, negate: Bool)] = []

    public init(_ s: String, allowed: [String]) throws {
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

    /// metadata.name=`name`.
    init(names name: String) {
        reqs = [("metadata.name", name, false)]
    }

    public func matches(_ obj: JSON) -> Bool {
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

extension String {
    func replacingFirst(_ a: String, _ b: String) -> String {
        guard let r = firstRange(of: a) else { return self }
        return String(self[..<r.lowerBound]) + b + String(self[r.upperBound...])
    }
}
