/// Protobuf wire-format writer: the encoding half of ProtobufDecoder.Reader.
/// Proto3 rules: a field left at its zero value is not written at all, so
/// callers may hand it empty strings and false without bloating the output.
public struct ProtobufWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public var isEmpty: Bool { bytes.isEmpty }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, wire: Int) {
        varint(UInt64(field) << 3 | UInt64(wire))
    }

    /// A length-delimited field holding raw bytes (an encoded message, a string).
    public mutating func lengthDelimited(_ field: Int, _ value: [UInt8]) {
        tag(field, wire: 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        lengthDelimited(field, Array(value.utf8))
    }

    /// Repeated strings are never packed: every element is its own field.
    public mutating func strings(_ field: Int, _ values: [String]) {
        for v in values { lengthDelimited(field, Array(v.utf8)) }
    }

    public mutating func bool(_ field: Int, _ value: Bool) {
        guard value else { return }
        tag(field, wire: 0)
        varint(1)
    }

    /// A bool inside a oneof: written even when false, since which member is set carries meaning.
    public mutating func oneofBool(_ field: Int, _ value: Bool) {
        tag(field, wire: 0)
        varint(value ? 1 : 0)
    }

    public mutating func int64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        tag(field, wire: 0)
        varint(UInt64(bitPattern: value))
    }

    public mutating func double(_ field: Int, _ value: Double) {
        guard value != 0 else { return }
        tag(field, wire: 1)
        let bits = value.bitPattern
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    /// A sub-message, written even when empty: presence of a message field is
    /// meaningful (an empty `properties` is not the same as none).
    public mutating func message(_ field: Int, _ body: ProtobufWriter) {
        lengthDelimited(field, body.bytes)
    }
}
