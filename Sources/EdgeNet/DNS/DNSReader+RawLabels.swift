extension DNSReader {
    /// The labels of the name at the current offset, case kept (the name was validated already).
    mutating func rawLabels() throws(DNSWireError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var pos = offset
        var hops = 0
        while pos < bytes.count {
            let len = bytes[pos]
            if len == 0 { return out }
            if len & 0xC0 == 0xC0 {
                guard pos + 1 < bytes.count, hops < Self.maxPointers else { throw .truncated }
                hops += 1
                pos = Int(len & 0x3F) << 8 | Int(bytes[pos + 1])
                continue
            }
            let n = Int(len)
            guard pos + 1 + n <= bytes.count else { throw .truncated }
            out.append(Array(bytes[(pos + 1)...(pos + n)]))
            pos += 1 + n
        }
        throw .truncated
    }
}
