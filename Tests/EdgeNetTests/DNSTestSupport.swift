@testable import EdgeNet

/// Builds queries the way a stub resolver does.
enum DNSTest {
    static func query(_ name: String, type: UInt16, id: UInt16 = 0x1234, edns: UInt16? = nil) -> [UInt8] {
        var w = DNSWriter()
        w.u16(id)
        w.u16(0x0100)
        w.u16(1); w.u16(0); w.u16(0); w.u16(edns == nil ? 0 : 1)
        // Written as given (case kept), as a stub resolver does.
        for label in name.split(separator: ".") { w.u8(UInt8(label.utf8.count)); w.raw(Array(label.utf8)) }
        w.u8(0)
        w.u16(type); w.u16(1)
        if let edns { w.u8(0); w.u16(DNSType.opt); w.u16(edns); w.u32(0); w.u16(0) }
        return w.bytes
    }

    struct Parsed {
        var id: UInt16
        var flags: UInt16
        var rcode: UInt16 { flags & 0xF }
        var answers: [(name: String, type: UInt16, ttl: UInt32, data: String)] = []
        var authority: [(name: String, type: UInt16)] = []
        var additional: [(name: String, type: UInt16, data: String)] = []
    }

    /// A response read back with the server's own reader (records rendered as text).
    static func parse(_ b: [UInt8]) throws -> Parsed {
        var r = DNSReader(b)
        var p = Parsed(id: try r.u16(), flags: try r.u16())
        let qd = try r.u16(), an = try r.u16(), ns = try r.u16(), ar = try r.u16()
        for _ in 0..<qd { _ = try r.name(); try r.skip(4) }
        for i in 0..<(Int(an) + Int(ns) + Int(ar)) {
            let name = try r.name().description
            let type = try r.u16()
            try r.skip(2)
            let ttl = try r.u32()
            let len = Int(try r.u16())
            let end = r.offset + len
            var data = ""
            switch type {
            case DNSType.a: data = IPv4Text.format(try r.u32())
            case DNSType.cname, DNSType.ptr, DNSType.ns: data = try r.name().description
            case DNSType.srv:
                let pr = try r.u16(), w = try r.u16(), port = try r.u16()
                data = "\(pr) \(w) \(port) \(try r.name())"
            default: break
            }
            r.offset = end
            if i < Int(an) { p.answers.append((name, type, ttl, data)) }
            else if i < Int(an) + Int(ns) { p.authority.append((name, type)) }
            else { p.additional.append((name, type, data)) }
        }
        return p
    }
}
