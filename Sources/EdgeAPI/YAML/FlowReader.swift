/// One line's worth of YAML value: a flow collection, a quoted or a plain
/// scalar, resolved as go-yaml (YAML 1.1) resolves plain scalars.
struct FlowReader {
    let chars: [Character]
    let line: Int
    var k = 0

    init(chars: [Character], line: Int) {
        self.chars = chars
        self.line = line
    }

    mutating func skipSpaces() {
        while k < chars.count, chars[k] == " " { k += 1 }
    }

    func fail(_ m: String) -> YAMLParser.ParseError { YAMLParser.ParseError(line: line, message: m) }

    mutating func value(depth: Int, inFlow: Bool = false) throws(YAMLParser.ParseError) -> JSON {
        guard depth < YAMLParser.maxDepth else { throw fail("exceeded max depth of \(YAMLParser.maxDepth)") }
        skipSpaces()
        guard k < chars.count else { return .null }
        switch chars[k] {
        case "[":
            k += 1
            var items: [JSON] = []
            while true {
                skipSpaces()
                guard k < chars.count else { throw fail("did not find expected ',' or ']'") }
                if chars[k] == "]" { k += 1; return .array(items) }
                items.append(try value(depth: depth + 1, inFlow: true))
                skipSpaces()
                // After an item: a comma, the end, or nothing else (a stray `}` or `:` would never be consumed).
                if k < chars.count, chars[k] == "," { k += 1 } else if k < chars.count, chars[k] != "]" {
                    throw fail("did not find expected ',' or ']'")
                }
            }
        case "{":
            k += 1
            var o = JSONObject()
            while true {
                skipSpaces()
                guard k < chars.count else { throw fail("did not find expected ',' or '}'") }
                if chars[k] == "}" { k += 1; return .object(o) }
                let key = try value(depth: depth + 1, inFlow: true)
                skipSpaces()
                var v = JSON.null
                if k < chars.count, chars[k] == ":" {
                    k += 1
                    v = try value(depth: depth + 1, inFlow: true)
                }
                o[key.string ?? key.description] = v
                skipSpaces()
                if k < chars.count, chars[k] == "," { k += 1 } else if k < chars.count, chars[k] != "}" {
                    throw fail("did not find expected ',' or '}'")
                }
            }
        case "\"": return .string(try doubleQuoted())
        case "'": return .string(try singleQuoted())
        case "&", "*", "!":
            throw fail("anchors, aliases and tags are not supported in apply configurations")
        default:
            let start = k
            while k < chars.count {
                let ch = chars[k]
                if inFlow && (ch == "," || ch == "]" || ch == "}") { break }
                if inFlow && ch == ":" && (k + 1 == chars.count || chars[k + 1] == " " || chars[k + 1] == ",") { break }
                k += 1
            }
            return Self.resolve(String(chars[start..<k]).trimmingCharacters(in: " "))
        }
    }

    mutating func doubleQuoted() throws(YAMLParser.ParseError) -> String {
        k += 1
        var out = ""
        while k < chars.count {
            let ch = chars[k]
            k += 1
            if ch == "\"" { return out }
            guard ch == "\\" else { out.append(ch); continue }
            guard k < chars.count else { break }
            let e = chars[k]
            k += 1
            switch e {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "0": out.append("\0")
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            case "/": out.append("/")
            case " ": out.append(" ")
            case "x", "u", "U":
                let n = e == "x" ? 2 : e == "u" ? 4 : 8
                guard k + n <= chars.count, let code = UInt32(String(chars[k..<(k + n)]), radix: 16),
                      let scalar = Unicode.Scalar(code) else { throw fail("found unknown escape character while parsing a quoted scalar") }
                out.unicodeScalars.append(scalar)
                k += n
            default: throw fail("found unknown escape character while parsing a quoted scalar")
            }
        }
        throw fail("found unexpected end of stream while scanning a quoted scalar")
    }

    mutating func singleQuoted() throws(YAMLParser.ParseError) -> String {
        k += 1
        var out = ""
        while k < chars.count {
            let ch = chars[k]
            k += 1
            if ch == "'" {
                if k < chars.count, chars[k] == "'" { out.append("'"); k += 1; continue }
                return out
            }
            out.append(ch)
        }
        throw fail("found unexpected end of stream while scanning a quoted scalar")
    }

    /// go-yaml's (YAML 1.1) plain scalars: null, booleans including yes/no/on/off, integers, floats.
    static func resolve(_ s: String) -> JSON {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y": return .bool(true)
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        default: break
        }
        let plain = String(s.filter { $0 != "_" })
        if let i = Int64(plain) { return .int(i) }
        if plain.hasPrefix("0x"), let i = Int64(plain.dropFirst(2), radix: 16) { return .int(i) }
        if plain.hasPrefix("0o"), let i = Int64(plain.dropFirst(2), radix: 8) { return .int(i) }
        if plain.first?.isNumber == true || plain.first == "-" || plain.first == "+" || plain.first == ".",
           plain.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }),
           plain.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }), let d = Double(plain) {
            return .double(d)
        }
        return .string(s)
    }
}
