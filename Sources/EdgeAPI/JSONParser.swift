/// A strict RFC 8259 parser over bytes. Errors carry the byte offset so a 400
/// response can say where a request body is malformed.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at offset \(offset)" }
}

public struct JSONParser {
    /// Nesting deeper than this is refused, in the words of Go's scanner. Upstream
    /// stops at 10000 levels (Go's encoding/json and apimachinery's number
    /// conversion), on goroutine stacks that grow to a gigabyte. Here every walk
    /// over a document (parsing, writing, comparing, patching) recurses on a task's
    /// fixed 8 MiB stack, and parsing alone overflowed it between 3000 and 6000
    /// levels in a debug build; 1000 keeps a wide margin, and no API object nests
    /// past a few dozen levels.
    public static let maxDepth = 1000

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSON {
        var ignored = false
        return try parse(bytes, sawDuplicate: &ignored)
    }

    public static func parse(_ string: String) throws(JSONParseError) -> JSON {
        try parse(Array(string.utf8))
    }

    /// Parses a request body and reports the keys an object repeats (the last
    /// value wins, as in Go), so strict field validation can refuse them as
    /// upstream does. Finding no repeat costs nothing more than `parse`; the
    /// paths are worked out in a second pass only when there is one.
    public static func parseNotingDuplicates(_ bytes: [UInt8]) throws(JSONParseError) -> (JSON, DuplicateKeys) {
        var sawDuplicate = false
        let value = try parse(bytes, sawDuplicate: &sawDuplicate)
        guard sawDuplicate else { return (value, DuplicateKeys()) }
        return (value, try duplicateKeys(bytes))
    }

    static func parse(_ bytes: [UInt8], sawDuplicate: inout Bool) throws(JSONParseError) -> JSON {
        try bytes.withUnsafeBufferPointer { buf throws(JSONParseError) -> JSON in
            var p = Cursor(buf: buf)
            p.skipWhitespace()
            let v = try p.value(depth: 0)
            p.skipWhitespace()
            if p.pos != buf.count { throw p.error("unexpected trailing data") }
            sawDuplicate = p.sawDuplicate
            return v
        }
    }

    /// The slow pass: walks the document again keeping the path of every key.
    static func duplicateKeys(_ bytes: [UInt8]) throws(JSONParseError) -> DuplicateKeys {
        try bytes.withUnsafeBufferPointer { buf throws(JSONParseError) -> DuplicateKeys in
            var p = Cursor(buf: buf)
            p.keyPaths = KeyPathRecorder()
            p.skipWhitespace()
            _ = try p.value(depth: 0)
            return p.keyPaths!.report
        }
    }

    struct Cursor {
        let buf: UnsafeBufferPointer<UInt8>
        var pos = 0
        /// Set when an object repeats a key.
        var sawDuplicate = false
        /// Present only in the slow pass that names repeated keys.
        var keyPaths: KeyPathRecorder?

        init(buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }

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

        /// Go's words for the same refusal.
        func depthError() -> JSONParseError {
            error("invalid character '\(Character(Unicode.Scalar(buf[pos])))' exceeded max depth")
        }

        mutating func object(depth: Int) throws(JSONParseError) -> JSON {
            if depth > JSONParser.maxDepth { throw depthError() }
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
                let existing = o.index(of: k)
                keyPaths?.enterKey(k, repeated: existing != nil)
                let v = try value(depth: depth)
                keyPaths?.leave()
                if let existing {
                    sawDuplicate = true
                    o.replaceValue(at: existing, with: v)
                } else {
                    o.appendUnchecked(k, v)
                }
                skipWhitespace()
                guard pos < buf.count else { throw error("unexpected end of input") }
                if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
                if buf[pos] == UInt8(ascii: "}") { pos += 1; return .object(o) }
                throw error("expected ',' or '}' after object value")
            }
        }

        mutating func array(depth: Int) throws(JSONParseError) -> JSON {
            if depth > JSONParser.maxDepth { throw depthError() }
            pos += 1
            var a: [JSON] = []
            skipWhitespace()
            if pos < buf.count && buf[pos] == UInt8(ascii: "]") { pos += 1; return .array(a) }
            while true {
                skipWhitespace()
                keyPaths?.enterIndex(a.count)
                a.append(try value(depth: depth))
                keyPaths?.leave()
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

        /// UTF-8 of one scalar, written straight into the output (no String per escape).
        func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
            let s = Unicode.Scalar(v) ?? "\u{FFFD}"
            if let encoded = UTF8.encode(s) {
                for b in encoded { out.append(b) }
            }
        }

        mutating func number() throws(JSONParseError) -> JSON {
            let start = pos
            var isInteger = true
            let negative = buf[pos] == UInt8(ascii: "-")
            if negative { pos += 1 }
            guard pos < buf.count, isDigit(buf[pos]) else { throw error("invalid number") }
            // Integers are accumulated as they are read (no String per number); one that
            // does not fit Int64 falls back to the text below, as does any fraction or exponent.
            var magnitude: UInt64 = 0
            var fits = true
            if buf[pos] == UInt8(ascii: "0") {
                pos += 1
                if pos < buf.count, isDigit(buf[pos]) { throw error("invalid number: leading zero") }
            } else {
                while pos < buf.count, isDigit(buf[pos]) {
                    if fits {
                        let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                        let (a, o2) = m.addingReportingOverflow(UInt64(buf[pos] - 0x30))
                        if o1 || o2 { fits = false } else { magnitude = a }
                    }
                    pos += 1
                }
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
            if isInteger && fits {
                if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
                if negative, magnitude <= UInt64(Int64.max) + 1 { return .int(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)) }
            }
            if pos - start > 64, let d = approximate(start, pos) { return .double(d) }
            let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
            guard let d = Double(text) else { throw error("invalid number") }
            return .double(d)
        }

        /// The Double of a long number literal without handing the whole text to
        /// strtod (whose cost grows with the length, and a body may be one 3 MiB
        /// number): the first 20 significant digits and the decimal exponent decide it.
        func approximate(_ start: Int, _ end: Int) -> Double? {
            var i = start
            let negative = buf[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            var digits: [UInt8] = []
            var exponent10: Int64 = 0 // position of the decimal point relative to the digits kept
            var seenNonZero = false
            var inFraction = false
            while i < end, buf[i] != UInt8(ascii: "e"), buf[i] != UInt8(ascii: "E") {
                let c = buf[i]
                i += 1
                if c == UInt8(ascii: ".") { inFraction = true; continue }
                if !seenNonZero && c == UInt8(ascii: "0") {
                    if inFraction { exponent10 -= 1 }
                    continue
                }
                seenNonZero = true
                if digits.count < 20 { digits.append(c) }
                if !inFraction { exponent10 += 1 }
            }
            if !seenNonZero { return negative ? -0.0 : 0 }
            var written: Int64 = 0
            if i < end { // the exponent part
                i += 1
                var expNegative = false
                if buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-") { expNegative = buf[i] == UInt8(ascii: "-"); i += 1 }
                while i < end {
                    written = min(written * 10 + Int64(buf[i] - 0x30), 1_000_000_000)
                    i += 1
                }
                if expNegative { written = -written }
            }
            let e = exponent10 + written
            if e > 400 { return negative ? -.infinity : .infinity }
            if e < -400 { return negative ? -0.0 : 0 }
            let text = (negative ? "-0." : "0.") + String(decoding: digits, as: UTF8.self) + "e" + String(e)
            return Double(text)
        }

        @inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    }
}
