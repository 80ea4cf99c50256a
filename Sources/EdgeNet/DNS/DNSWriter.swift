/// Builds a DNS message, compressing names against those already written
/// (whole-suffix matches, as most servers do).
struct DNSWriter {
    private(set) var bytes: [UInt8] = []
    private var suffixes: [ArraySlice<[UInt8]>: Int] = [:]

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func u32(_ v: UInt32) {
        bytes.append(UInt8(v >> 24)); bytes.append(UInt8(v >> 16 & 0xFF)); bytes.append(UInt8(v >> 8 & 0xFF)); bytes.append(UInt8(v & 0xFF))
    }
    mutating func raw(_ b: [UInt8]) { bytes += b }

    mutating func setU16(_ v: UInt16, at offset: Int) {
        bytes[offset] = UInt8(v >> 8)
        bytes[offset + 1] = UInt8(v & 0xFF)
    }

    mutating func name(_ n: DNSName, compress: Bool = true) {
        let labels = n.labels
        for i in labels.indices {
            let suffix = labels[i...]
            if compress, let at = suffixes[suffix] {
                u16(0xC000 | UInt16(at))
                return
            }
            if bytes.count < 0x3FFF { suffixes[suffix] = bytes.count }
            u8(UInt8(labels[i].count))
            raw(labels[i])
        }
        u8(0)
    }
}
