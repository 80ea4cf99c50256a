/// A parsed label selector (`env in (prod,dev),tier,!legacy,app!=web`):
/// all requirements must hold.
public struct LabelSelector: Sendable, Equatable {
    public enum Operator: String, Sendable { case equals = "=", notEquals = "!=", isIn = "in", notIn = "notin", exists, doesNotExist }

    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement]) { self.requirements = requirements }

    public func matches(_ labels: JSONObject?) -> Bool {
        for r in requirements {
            let v = labels?[r.key]?.string
            switch r.op {
            case .equals: if v != r.values[0] { return false }
            case .notEquals: if v == r.values[0] { return false }
            case .isIn: if !(v.map(r.values.contains) ?? false) { return false }
            case .notIn: if v.map(r.values.contains) ?? false { return false }
            case .exists: if v == nil { return false }
            case .doesNotExist: if v != nil { return false }
            }
        }
        return true
    }

    /// Parses the string form; errors name the problem as upstream's parser does.
    public static func parse(_ text: String) throws(SelectorError) -> LabelSelector {
        var p = Parser(chars: Array(text), text: text)
        var reqs: [Requirement] = []
        p.skipSpaces()
        if p.atEnd { return LabelSelector(requirements: []) }
        while true {
            reqs.append(try p.requirement())
            p.skipSpaces()
            if p.atEnd { break }
            guard p.peek == "," else { throw p.error("expected ',' or end of selector") }
            p.pos += 1
        }
        return LabelSelector(requirements: reqs)
    }

    /// From a metav1.LabelSelector object (matchLabels + matchExpressions).
    public static func from(_ sel: JSON) throws(SelectorError) -> LabelSelector {
        var reqs: [Requirement] = []
        for k in (sel["matchLabels"]?.object ?? JSONObject()).sortedKeys {
            reqs.append(Requirement(key: k, op: .equals, values: [sel["matchLabels"]?[k]?.string ?? ""]))
        }
        for e in sel["matchExpressions"]?.array ?? [] {
            let key = e["key"]?.string ?? ""
            let values = (e["values"]?.array ?? []).compactMap(\.string)
            switch e["operator"]?.string {
            case "In": reqs.append(Requirement(key: key, op: .isIn, values: values))
            case "NotIn": reqs.append(Requirement(key: key, op: .notIn, values: values))
            case "Exists": reqs.append(Requirement(key: key, op: .exists, values: []))
            case "DoesNotExist": reqs.append(Requirement(key: key, op: .doesNotExist, values: []))
            case let o: throw SelectorError("\(o ?? "") is not a valid label selector operator")
            }
        }
        return LabelSelector(requirements: reqs)
    }

    /// The canonical string form.
    public var description: String {
        requirements.map { r in
            switch r.op {
            case .equals: return "\(r.key)=\(r.values[0])"
            case .notEquals: return "\(r.key)!=\(r.values[0])"
            case .isIn: return "\(r.key) in (\(r.values.sorted().joined(separator: ",")))"
            case .notIn: return "\(r.key) notin (\(r.values.sorted().joined(separator: ",")))"
            case .exists: return r.key
            case .doesNotExist: return "!" + r.key
            }
        }.joined(separator: ",")
    }

    struct Parser {
        let chars: [Character]
        let text: String
        var pos = 0

        var atEnd: Bool { pos >= chars.count }
        var peek: Character? { atEnd ? nil : chars[pos] }

        func error(_ msg: String) -> SelectorError { SelectorError("unable to parse requirement: found '\(text)', \(msg)") }

        mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { pos += 1 } }

        static func isNameChar(_ c: Character) -> Bool {
            c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." || c == "/")
        }

        mutating func word() -> String {
            let start = pos
            while let c = peek, Self.isNameChar(c) { pos += 1 }
            return String(chars[start..<pos])
        }

        mutating func requirement() throws(SelectorError) -> Requirement {
            skipSpaces()
            if peek == "!" {
                pos += 1
                skipSpaces()
                let key = word()
                try LabelRules.checkKey(key)
                return Requirement(key: key, op: .doesNotExist, values: [])
            }
            let key = word()
            if key.isEmpty { throw error("expected a label key") }
            try LabelRules.checkKey(key)
            skipSpaces()
            if atEnd || peek == "," { return Requirement(key: key, op: .exists, values: []) }
            if peek == "=" {
                pos += 1
                if peek == "=" { pos += 1 }
                return Requirement(key: key, op: .equals, values: [try value()])
            }
            if peek == "!" {
                pos += 1
                guard peek == "=" else { throw error("expected '=' after '!'") }
                pos += 1
                return Requirement(key: key, op: .notEquals, values: [try value()])
            }
            let op = word()
            guard op == "in" || op == "notin" else { throw error("expected one of ['=', '==', '!=', 'in', 'notin'], found '\(op)'") }
            skipSpaces()
            guard peek == "(" else { throw error("expected '(' after '\(op)'") }
            pos += 1
            var values: [String] = []
            while true {
                skipSpaces()
                let v = word()
                try LabelRules.checkValue(v)
                values.append(v)
                skipSpaces()
                if peek == "," { pos += 1; continue }
                if peek == ")" { pos += 1; break }
                throw error("expected ',' or ')' in value set")
            }
            return Requirement(key: key, op: op == "in" ? .isIn : .notIn, values: values)
        }

        mutating func value() throws(SelectorError) -> String {
            skipSpaces()
            let v = word()
            try LabelRules.checkValue(v)
            return v
        }
    }
}

public struct SelectorError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Label key and value syntax (qualified names and label values).
public enum LabelRules {
    static func isAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }

    /// `[a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?`, at most 63 characters.
    public static func isName(_ s: String, max: Int = 63) -> Bool {
        guard !s.isEmpty, s.count <= max, let f = s.first, let l = s.last, isAlnum(f), isAlnum(l) else { return false }
        return s.allSatisfy { isAlnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    public static func isDNSSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let f = part.first, let l = part.last else { return false }
            let ok: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber) }
            return ok(f) && ok(l) && part.allSatisfy { ok($0) || $0 == "-" }
        }
    }

    public static func isQualifiedName(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isName(key)
        case 2: return isDNSSubdomain(String(parts[0])) && isName(String(parts[1]))
        default: return false
        }
    }

    public static func isLabelValue(_ v: String) -> Bool { v.isEmpty || isName(v) }

    static func checkKey(_ key: String) throws(SelectorError) {
        guard isQualifiedName(key) else {
            throw SelectorError("key: Invalid value: \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
        }
    }

    static func checkValue(_ v: String) throws(SelectorError) {
        guard isLabelValue(v) else {
            throw SelectorError("values[0]: Invalid value: \"\(v)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
        }
    }
}
