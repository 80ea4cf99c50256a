/// A query as far as answering it needs: header, the one question, EDNS.
struct DNSQuery: Equatable, Sendable {
    var id: UInt16
    var flags: UInt16
    var question: DNSQuestion
    /// EDNS(0) payload size the client accepts, if it sent an OPT record.
    var ednsSize: UInt16?

    var recursionDesired: Bool { flags & 0x0100 != 0 }

    enum Parsed {
        case query(DNSQuery)
        /// Answerable only with an error (id and flags known): FORMERR, NOTIMP.
        case refuse(id: UInt16, flags: UInt16, rcode: UInt16)
        /// Not a query at all (a response, or too short for a header): dropped.
        case drop
    }

    static func parse(_ bytes: [UInt8]) -> Parsed {
        var r = DNSReader(bytes)
        guard let id = try? r.u16(), let flags = try? r.u16() else { return .drop }
        guard flags & 0x8000 == 0 else { return .drop }
        guard (flags >> 11) & 0xF == 0 else { return .refuse(id: id, flags: flags, rcode: DNSRcode.notImp) }
        do {
            let qd = try r.u16(), an = try r.u16(), ns = try r.u16(), ar = try r.u16()
            guard qd == 1 else { return .refuse(id: id, flags: flags, rcode: DNSRcode.formErr) }
            let start = r.offset
            let name = try r.name()
            // The raw labels again, without lowercasing (follows the same pointers).
            var rawReader = DNSReader(bytes)
            rawReader.offset = start
            let raw = try rawReader.rawLabels()
            let type = try r.u16(), qclass = try r.u16()
            var edns: UInt16?
            for i in 0..<(Int(an) + Int(ns) + Int(ar)) {
                let owner = try r.name()
                let rtype = try r.u16(), rclass = try r.u16()
                _ = try r.u32()
                let len = try r.u16()
                try r.skip(Int(len))
                if i >= Int(an) + Int(ns), rtype == DNSType.opt, owner.labels.isEmpty { edns = max(rclass, 512) }
            }
            return .query(DNSQuery(id: id, flags: flags, question: DNSQuestion(name: name, raw: raw, type: type, qclass: qclass), ednsSize: edns))
        } catch {
            return .refuse(id: id, flags: flags, rcode: DNSRcode.formErr)
        }
    }
}
