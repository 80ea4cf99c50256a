/// A YAML reader for apply configurations (upstream decodes them with
/// go-yaml, YAML 1.1 scalars): block mappings and sequences, compact
/// `- key: value` items, flow `[...]` and `{...}`, plain, single- and
/// double-quoted scalars, literal `|` and folded `>` blocks, comments, and the
/// first document of a stream. Anchors, aliases and tags are refused.
public struct YAMLParser {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "yaml: line \(line): \(message)" }
    }

    var lines: [String]
    var i = 0
    /// Nesting bound: a hostile body must not exhaust the stack.
    static let maxDepth = 200

    public static func parse(_ text: String) throws(ParseError) -> JSON {
        var p = YAMLParser(lines: [])
        var docs: [String] = []
        var started = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if line == "---" || line.hasPrefix("--- ") {
                if started && docs.contains(where: { !Self.isBlank($0) }) { break }
                started = true
                let rest = line.dropFirst(3).trimmingCharacters(in: " ")
                if !rest.isEmpty && !rest.hasPrefix("#") { docs.append(rest) }
                continue
            }
            if line == "..." { break }
            if line.contains("\t") && line.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw ParseError(line: docs.count + 1, message: "found character that cannot start any token")
            }
            docs.append(line)
        }
        p.lines = docs
        p.skipBlank()
        guard p.i < p.lines.count else { return .null }
        let v = try p.node(minIndent: 0, depth: 0)
        p.skipBlank()
        if p.i < p.lines.count { throw ParseError(line: p.i + 1, message: "did not find expected key") }
        return v
    }

    static func isBlank(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: " ")
        return t.isEmpty || t.hasPrefix("#")
    }

    static func indent(_ line: String) -> Int { line.prefix(while: { $0 == " " }).count }

    mutating func skipBlank() {
        while i < lines.count, Self.isBlank(lines[i]) { i += 1 }
    }

    func content(_ line: String) -> String { String(line.dropFirst(Self.indent(line))) }

    static func isSequenceItem(_ c: String) -> Bool { c == "-" || c.hasPrefix("- ") }

    mutating func node(minIndent: Int, depth: Int) throws(ParseError) -> JSON {
        guard depth < Self.maxDepth else { throw ParseError(line: i + 1, message: "exceeded max depth of \(Self.maxDepth)") }
        skipBlank()
        guard i < lines.count else { return .null }
        let ind = Self.indent(lines[i])
        guard ind >= minIndent else { return .null }
        let c = content(lines[i])
        if Self.isSequenceItem(c) { return try sequence(ind, depth: depth) }
        if Self.keySplit(c) != nil { return try mapping(ind, depth: depth) }
        // A lone scalar or flow collection, perhaps over several lines.
        var text = c
        i += 1
        while i < lines.count, !Self.isBlank(lines[i]), Self.indent(lines[i]) > ind {
            text += " " + content(lines[i]).trimmingCharacters(in: " ")
            i += 1
        }
        return try value(Self.stripComment(text), line: i)
    }

    mutating func sequence(_ ind: Int, depth: Int) throws(ParseError) -> JSON {
        var items: [JSON] = []
        while true {
            skipBlank()
            guard i < lines.count, Self.indent(lines[i]) == ind, Self.isSequenceItem(content(lines[i])) else { break }
            let c = content(lines[i])
            let rest = c.dropFirst(1)
            let pad = rest.prefix(while: { $0 == " " }).count
            let body = String(rest.dropFirst(pad))
            if Self.isBlank(body) {
                i += 1
                items.append(try node(minIndent: ind + 1, depth: depth + 1))
            } else {
                // `- key: value` and `- - x`: the item's content starts in this column.
                lines[i] = String(repeating: " ", count: ind + 1 + pad) + body
                items.append(try node(minIndent: ind + 1, depth: depth + 1))
            }
        }
        return .array(items)
    }

    mutating func mapping(_ ind: Int, depth: Int) throws(ParseError) -> JSON {
        var o = JSONObject()
        while true {
            skipBlank()
            guard i < lines.count, Self.indent(lines[i]) == ind else { break }
            let c = content(lines[i])
            guard let (rawKey, rest) = Self.keySplit(c) else {
                throw ParseError(line: i + 1, message: "could not find expected ':'")
            }
            let key: String
            switch try value(rawKey, line: i + 1) {
            case .string(let s): key = s
            case .null: key = "null"
            case let other: key = other.description
            }
            if o[key] != nil { throw ParseError(line: i + 1, message: "key \"\(key)\" already set in map") }
            let line = i + 1
            i += 1
            let v = Self.stripComment(rest)
            if v.isEmpty {
                skipBlank()
                if i < lines.count, Self.indent(lines[i]) == ind, Self.isSequenceItem(content(lines[i])) {
                    o[key] = try sequence(ind, depth: depth + 1)
                } else if i < lines.count, Self.indent(lines[i]) > ind {
                    o[key] = try node(minIndent: ind + 1, depth: depth + 1)
                } else {
                    o[key] = .null
                }
            } else if v.hasPrefix("|") || v.hasPrefix(">") {
                o[key] = .string(blockScalar(header: v, parentIndent: ind))
            } else {
                var text = v
                while i < lines.count, !Self.isBlank(lines[i]), Self.indent(lines[i]) > ind {
                    text += " " + Self.stripComment(content(lines[i]))
                    i += 1
                }
                o[key] = try value(text, line: line)
            }
        }
        return .object(o)
    }

    /// `|`, `|-`, `|+`, `>`, `>-`: the more-indented lines that follow.
    mutating func blockScalar(header: String, parentIndent: Int) -> String {
        let folded = header.hasPrefix(">")
        let chomp = header.contains("-") ? "strip" : header.contains("+") ? "keep" : "clip"
        var body: [String] = []
        var blockIndent: Int?
        while i < lines.count {
            let l = lines[i]
            if l.trimmingCharacters(in: " ").isEmpty { body.append(""); i += 1; continue }
            let ind = Self.indent(l)
            if ind <= parentIndent { break }
            if blockIndent == nil { blockIndent = ind }
            if ind < blockIndent! { break }
            body.append(String(l.dropFirst(blockIndent!)))
            i += 1
        }
        var trailing = 0
        while let last = body.last, last.isEmpty { body.removeLast(); trailing += 1 }
        var text: String
        if folded {
            text = ""
            for (n, l) in body.enumerated() {
                if n > 0 { text += (l.isEmpty || body[n - 1].isEmpty || l.hasPrefix(" ")) ? "\n" : " " }
                text += l
            }
        } else {
            text = body.joined(separator: "\n")
        }
        switch chomp {
        case "strip": return text
        case "keep": return text + String(repeating: "\n", count: trailing + 1)
        default: return body.isEmpty ? "" : text + "\n"
        }
    }

    /// `key: rest` or `key:` outside quotes and brackets; nil when the line is not a mapping entry.
    static func keySplit(_ c: String) -> (String, String)? {
        let chars = Array(c)
        var quote: Character?
        var depth = 0
        var k = 0
        while k < chars.count {
            let ch = chars[k]
            if let q = quote {
                if ch == q { quote = nil }
            } else if (ch == "\"" || ch == "'") && k == 0 {
                quote = ch
            } else if ch == "[" || ch == "{" {
                if k == 0 { return nil }
                depth += 1
            } else if ch == "]" || ch == "}" {
                depth -= 1
            } else if ch == "#" && k > 0 && chars[k - 1] == " " {
                return nil
            } else if ch == ":" && depth == 0 && (k + 1 == chars.count || chars[k + 1] == " ") {
                return (String(chars[0..<k]).trimmingCharacters(in: " "), String(chars[(k + 1)...]))
            }
            k += 1
        }
        return nil
    }

    /// Drops a ` # comment` outside quotes.
    static func stripComment(_ s: String) -> String {
        var quote: Character?
        var prev: Character = " "
        var out = ""
        for ch in s {
            if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "#" && prev == " " {
                break
            }
            out.append(ch)
            prev = ch
        }
        return out.trimmingCharacters(in: " ")
    }

    func value(_ text: String, line: Int) throws(ParseError) -> JSON {
        var flow = FlowReader(chars: Array(text), line: line)
        let v = try flow.value(depth: 0)
        flow.skipSpaces()
        guard flow.k == flow.chars.count else { throw ParseError(line: line, message: "did not find expected <document end>") }
        return v
    }
}
