/// A strict RFC 8259 parser over bytes. Errors carry the byte offset so a 400
/// response can say where a request body is malformed.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at offset \(offset)" }
}

public struct JSONParser {
    /// Nesting deeper than this is refused rather than risking the stack.
    public static let maxDepth = 512

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        try bytes.withUnsafeBufferPointer { buf throws(JSONParseError) -> JSON in
            var p = Cursor(buf: buf)
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count { throw p.error("unexpected trailing data") }
            return v
        }
    }

    public static func parse(_ string: String) throws(JSONParseError) -> JSON {
        try parse(Array(string.utf8))
    }

    struct Cursor {
        let buf: UnsafeBufferPointer<UInt8>
        var pos = 0

        func error(_ msg: String) -> JSONParseError { JSONParseError(message: msg, offset: pos) }

        mutating func skipWhitespace() {
            while pos < buf.count {
                let c = buf[pos]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
            }
        }

        mutating func expect(_ literal: StaticString, _ v: JSON) throws(JSONParseError) -> JSON {
            let n = literal.utf8CodeUnitCount
            guard pos + n <= buf.count else { throw error("unexpected end of input") }
            let lp = literal.utf8Start
            for i in 0..<n where buf[pos + i] != lp[i] { throw error("invalid literal") }
            pos += n
            return v
        }

        mutating func value(depth: Int) throws(JSONParseError) -> JSON {
            guard pos < buf.count else { throw error("unexpected end of input") }
            switch buf[pos] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("invalid character '\(Character(Unicode.Scalar(buf[pos])))' looking for beginning of value")
            }
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSON {
            if depth > JSONParser.maxDepth { throw error("exceeded max depth") }
            pos += 1
            var o = JSONObject()
            skipWhitespace()
            if pos < buf.count && buf[pos] == UInt8(ascii: "}") { pos += 1; return .object(o) }
            while true {
                skipWhitespace()
                guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw error("expected string key") }
                let k = try string()
                skipWhitespace()
                guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
                pos += 1
                skipWhitespace()
                let v = try value(depth: depth)
                if o.index(of: k) != nil { o[k] = v } else { o.appendUnchecked(k, v) }
                skipWhitespace()
                guard pos < buf.count else { throw error("unexpected end of input") }
                if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if buf[pos] == UInt8(ascii: "}") { pos += 1; return .object(o) }
                throw error("expected ',' or '}' after object value")
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSON {
            if depth > JSONParser.maxDepth { throw error("exceeded max depth") }
            pos += 1
            var a: [JSON] = []
            skipWhitespace()
            if pos < buf.count && buf[pos] == UInt8(ascii: "]") { pos += 1; return .array(a) }
            while true {
                skipWhitespace()
                a.append(try value(depth: depth))
                skipWhitespace()
                guard pos < buf.count else { throw error("unexpected end of input") }
                if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if buf[pos] == UInt8(ascii: "]") { pos += 1; return .array(a) }
                throw error("expected ',' or ']' after array element")
            }
        }

        mutating func string() throws(JSONParseError) -> String {
            pos += 1
            let start = pos
            // Fast path: no escapes.
            while pos < buf.count {
                let c = buf[pos]
                if c == UInt8(ascii: "\"") {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
                    pos += 1
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw error("invalid control character in string") }
                pos += 1
            }
            var out = [UInt8](UnsafeBufferPointer(rebasing: buf[start..<pos]))
            while pos < buf.count {
                let c = buf[pos]
                if c == UInt8(ascii: "\"") { pos += 1; return String(decoding: out, as: UTF8.self) }
                if c < 0x20 { throw error("invalid control character in string") }
                if c != UInt8(ascii: "\\") { out.append(c); pos += 1; continue }
                pos += 1
                guard pos < buf.count else { break }
                let e = buf[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by a low one; alone it becomes U+FFFD as in Go.
                        if pos + 1 < buf.count, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u") {
                            pos += 2
                            let low = try hex4()
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                appendScalar(0xFFFD, to: &out)
                                scalar = low
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    appendScalar(scalar, to: &out)
                default: throw error("invalid escape character in string")
                }
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws(JSONParseError) -> UInt32 {
            guard pos + 4 <= buf.count else { throw error("invalid \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = buf[pos]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw error("invalid \\u escape")
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }

        func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
            let s = Unicode.Scalar(v) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(s)).utf8))
        }

        mutating func number() throws(JSONParseError) -> JSON {
            let start = pos
            var isInteger = true
            if buf[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < buf.count, isDigit(buf[pos]) else { throw error("invalid number") }
            if buf[pos] == UInt8(ascii: "0") {
                pos += 1
                if pos < buf.count, isDigit(buf[pos]) { throw error("invalid number: leading zero") }
            } else {
                while pos < buf.count, isDigit(buf[pos]) { pos += 1 }
            }
            if pos < buf.count, buf[pos] == UInt8(ascii: ".") {
                isInteger = false
                pos += 1
                guard pos < buf.count, isDigit(buf[pos]) else { throw error("invalid number: expected digit after '.'") }
                while pos < buf.count, isDigit(buf[pos]) { pos += 1 }
            }
            if pos < buf.count, buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E") {
                isInteger = false
                pos += 1
                if pos < buf.count, buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-") { pos += 1 }
                guard pos < buf.count, isDigit(buf[pos]) else { throw error("invalid number: expected digit in exponent") }
                while pos < buf.count, isDigit(buf[pos]) { pos += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
            if isInteger, let i = Int64(text) { return .int(i) }
            guard let d = Double(text) else { throw error("invalid number") }
            return .double(d)
        }

        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    }
}
