/// Reads a DNS message from untrusted bytes: every length is checked against
/// what is left, names follow compression pointers only backwards (so no
/// loops) and at most a bounded number of times, and names stay within 255
/// bytes with labels of at most 63.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func u8() throws(DNSWireError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(DNSWireError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(DNSWireError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func take(_ n: Int) throws(DNSWireError) -> [UInt8] {
        guard n >= 0, remaining >= n else { throw .truncated }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func skip(_ n: Int) throws(DNSWireError) {
        guard n >= 0, remaining >= n else { throw .truncated }
        offset += n
    }

    static let maxPointers = 32

    mutating func name() throws(DNSWireError) -> DNSName {
        var labels: [[UInt8]] = []
        var total = 1
        var pos = offset
        var jumped = false
        var pointers = 0
        // Each pointer must point before the place it was read from: offsets strictly decrease, so no loop.
        var limit = offset
        while true {
            guard pos < bytes.count else { throw .truncated }
            let len = bytes[pos]
            switch len & 0xC0 {
            case 0x00:
                if len == 0 {
                    if !jumped { offset = pos + 1 }
                    return DNSName(labels: labels)
                }
                let n = Int(len)
                guard pos + 1 + n <= bytes.count else { throw .truncated }
                total += n + 1
                guard total <= 255 else { throw .nameTooLong }
                labels.append(Array(bytes[(pos + 1)...(pos + n)]))
                pos += 1 + n
            case 0xC0:
                guard pos + 1 < bytes.count else { throw .truncated }
                let target = Int(len & 0x3F) << 8 | Int(bytes[pos + 1])
                pointers += 1
                guard pointers <= Self.maxPointers else { throw .tooManyPointers }
                guard target < limit, target < pos else { throw .badPointer }
                if !jumped { offset = pos + 2 }
                jumped = true
                limit = target
                pos = target
            default:
                throw .reservedLabelType
            }
        }
    }
}
