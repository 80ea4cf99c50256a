/// Reads a stored object without building it: decides whether its bytes are
/// exactly what `JSONSerializer` writes for the document they parse to, and
/// where its top-level `metadata` object ends. When they are, a server can add
/// `metadata.resourceVersion` by splicing bytes and send the result: it is
/// byte for byte what parsing, setting the field and serializing would give.
///
/// Canonical here means what the serializer writes: no whitespace; integers
/// only, in their shortest form (a fraction, an exponent, -0 or more than 18
/// digits is not claimed, though the serializer may write some of them);
/// strings escaped only where it escapes (control characters, `"`, `\`, `<`,
/// `>`, `&`, with its short forms and lowercase `\u00xx`) and otherwise valid
/// UTF-8; object keys ASCII, none repeated (Swift compares non-ASCII keys by
/// canonical equivalence, so distinct bytes could be one key to the parser),
/// at most `maxKeys` per object. Anything else is refused, never guessed at:
/// the caller then parses the object, which is always correct, only slower.
public struct CanonicalJSONScanner {
    /// Where the top-level `metadata` object closes and whether it has members.
    public struct MetadataEnd: Equatable, Sendable {
        /// Index of the `{` that opens `metadata`.
        public var open: Int
        /// Index of the `}` that closes `metadata`.
        public var close: Int
        public var isEmpty: Bool
        /// The bytes between the quotes of the top-level `apiVersion` string, if there is one.
        public var apiVersion: Range<Int>? = nil
    }

    /// Objects with more keys are refused (the repeat check is linear per key).
    public static let maxKeys = 64

    /// The end of `metadata` in a canonical stored object that is a JSON object
    /// with a `metadata` object not holding `resourceVersion`; nil otherwise.
    public static func metadataEnd(_ bytes: [UInt8]) -> MetadataEnd? {
        bytes.withUnsafeBufferPointer { buf in
            var s = CanonicalJSONScanner(buf: buf)
            guard buf.first == UInt8(ascii: "{"), s.object(depth: 1, role: .top), s.pos == buf.count,
                  let open = s.metadataOpen, let close = s.metadataClose, !s.metadataHasResourceVersion else { return nil }
            return MetadataEnd(open: open, close: close, isEmpty: buf[close - 1] == UInt8(ascii: "{"), apiVersion: s.apiVersion)
        }
    }

    enum Role { case top, metadata, other }

    let buf: UnsafeBufferPointer<UInt8>
    var pos = 0
    /// Key ranges of the objects being read, innermost last (one array for the whole scan).
    var keys: [(start: Int, end: Int)] = []
    var metadataOpen: Int?
    var metadataClose: Int?
    var metadataHasResourceVersion = false
    var apiVersion: Range<Int>?

    init(buf: UnsafeBufferPointer<UInt8>) {
        self.buf = buf
        keys.reserveCapacity(32)
    }

    static let metadataKey = Array("\"metadata\"".utf8)
    static let resourceVersionKey = Array("\"resourceVersion\"".utf8)
    static let apiVersionKey = Array("\"apiVersion\"".utf8)

    func bytesEqual(_ start: Int, _ end: Int, _ literal: [UInt8]) -> Bool {
        guard end - start == literal.count else { return false }
        for i in 0..<literal.count where buf[start + i] != literal[i] { return false }
        return true
    }

    mutating func value(depth: Int, role: Role = .other) -> Bool {
        guard pos < buf.count else { return false }
        switch buf[pos] {
        case UInt8(ascii: "{"): return object(depth: depth + 1, role: role)
        case UInt8(ascii: "["): return array(depth: depth + 1)
        case UInt8(ascii: "\""): return string(isKey: false)
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    mutating func literal(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard pos + n <= buf.count else { return false }
        let p = text.utf8Start
        for i in 0..<n where buf[pos + i] != p[i] { return false }
        pos += n
        return true
    }

    mutating func object(depth: Int, role: Role) -> Bool {
        // The parser refuses deeper nesting; leave that refusal to it.
        guard depth <= JSONParser.maxDepth else { return false }
        if role == .metadata { metadataOpen = pos }
        pos += 1
        guard pos < buf.count else { return false }
        if buf[pos] == UInt8(ascii: "}") {
            pos += 1
            if role == .metadata { metadataClose = pos - 1 }
            return true
        }
        let base = keys.count
        defer { keys.removeSubrange(base...) }
        while true {
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { return false }
            let start = pos
            guard string(isKey: true) else { return false }
            let end = pos
            guard keys.count - base < Self.maxKeys else { return false }
            for k in keys[base...] where k.end - k.start == end - start {
                var same = true
                for i in 0..<(end - start) where buf[k.start + i] != buf[start + i] { same = false; break }
                if same { return false }
            }
            keys.append((start, end))
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { return false }
            pos += 1
            var childRole = Role.other
            if role == .top && bytesEqual(start, end, Self.metadataKey) {
                guard pos < buf.count, buf[pos] == UInt8(ascii: "{") else { return false }
                childRole = .metadata
            } else if role == .metadata && bytesEqual(start, end, Self.resourceVersionKey) {
                metadataHasResourceVersion = true
            }
            let valueStart = pos
            guard value(depth: depth, role: childRole) else { return false }
            if role == .top && buf[valueStart] == UInt8(ascii: "\"") && bytesEqual(start, end, Self.apiVersionKey) {
                apiVersion = (valueStart + 1)..<(pos - 1)
            }
            guard pos < buf.count else { return false }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") {
                pos += 1
                if role == .metadata { metadataClose = pos - 1 }
                return true
            }
            return false
        }
    }

    mutating func array(depth: Int) -> Bool {
        guard depth <= JSONParser.maxDepth else { return false }
        pos += 1
        guard pos < buf.count else { return false }
        if buf[pos] == UInt8(ascii: "]") { pos += 1; return true }
        while true {
            guard value(depth: depth) else { return false }
            guard pos < buf.count else { return false }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "]") { pos += 1; return true }
            return false
        }
    }

    /// Integers of at most 18 digits without a sign on zero: the serializer writes exactly these back.
    mutating func number() -> Bool {
        let negative = buf[pos] == UInt8(ascii: "-")
        if negative { pos += 1 }
        let start = pos
        while pos < buf.count, buf[pos] >= 0x30, buf[pos] <= 0x39 { pos += 1 }
        let digits = pos - start
        guard digits >= 1, digits <= 18 else { return false }
        if buf[start] == UInt8(ascii: "0") && (digits > 1 || negative) { return false }
        if pos < buf.count {
            let c = buf[pos]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { return false }
        }
        return true
    }

    static func isLowerHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) }

    static func hexValue(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : c - 0x61 + 10 }

    mutating func string(isKey: Bool) -> Bool {
        pos += 1
        while pos < buf.count {
            let c = buf[pos]
            switch c {
            case UInt8(ascii: "\""):
                pos += 1
                return true
            case UInt8(ascii: "\\"):
                guard pos + 1 < buf.count else { return false }
                switch buf[pos + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    pos += 2
                case UInt8(ascii: "u"):
                    // Only the serializer's form: \u00xx, lowercase, for what it does not write raw or short.
                    guard pos + 6 <= buf.count, buf[pos + 2] == 0x30, buf[pos + 3] == 0x30,
                          Self.isLowerHex(buf[pos + 4]), Self.isLowerHex(buf[pos + 5]) else { return false }
                    let v = Self.hexValue(buf[pos + 4]) << 4 | Self.hexValue(buf[pos + 5])
                    let escapedByWriter = (v < 0x20 && v != 0x0A && v != 0x0D && v != 0x09) || v == 0x3C || v == 0x3E || v == 0x26
                    guard escapedByWriter else { return false }
                    pos += 6
                default:
                    return false
                }
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                return false
            case 0x80...:
                guard !isKey, let n = utf8SequenceLength(at: pos) else { return false }
                pos += n
            default:
                pos += 1
            }
        }
        return false
    }

    /// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlong
    /// forms, no surrogates, nothing past U+10FFFF), or nil: the parser would
    /// replace an ill-formed one, so its bytes would not come back unchanged.
    func utf8SequenceLength(at i: Int) -> Int? {
        let c = buf[i]
        func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            j < buf.count && buf[j] >= lo && buf[j] <= hi
        }
        switch c {
        case 0xC2...0xDF: return cont(i + 1) ? 2 : nil
        case 0xE0: return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(i + 1) && cont(i + 2) ? 3 : nil
        case 0xED: return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : nil
        case 0xF0: return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : nil
        case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : nil
        case 0xF4: return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : nil
        default: return nil
        }
    }
}
