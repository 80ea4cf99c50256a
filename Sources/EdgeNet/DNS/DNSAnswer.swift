/// An answer this server computed (not a forwarded one, which is relayed as bytes).
struct DNSAnswer: Equatable, Sendable {
    var rcode: UInt16 = DNSRcode.noError
    var authoritative = true
    var answers: [DNSRecord] = []
    var authority: [DNSRecord] = []
    var additional: [DNSRecord] = []

    /// The response for `q`, within `limit` bytes: extra records go first,
    /// then answers with TC set so the client asks again over TCP.
    func encode(for q: DNSQuery, limit: Int) -> [UInt8] {
        // A message holds at most 65535 bytes: a service with more endpoints than fit is cut (TC over UDP).
        var capped = self
        if capped.answers.count > 4000 { capped.answers = Array(capped.answers.prefix(4000)) }
        if capped.additional.count > 4000 { capped.additional = Array(capped.additional.prefix(4000)) }
        let full = Self.encode(q, capped, truncated: false)
        if full.count <= limit { return full }
        var lean = capped
        lean.additional = []
        let noExtra = Self.encode(q, lean, truncated: false)
        if noExtra.count <= limit { return noExtra }
        lean.answers = []
        lean.authority = []
        return Self.encode(q, lean, truncated: true)
    }

    static func encode(_ q: DNSQuery, _ a: DNSAnswer, truncated: Bool) -> [UInt8] {
        var w = DNSWriter()
        w.u16(q.id)
        var flags: UInt16 = 0x8000 | 0x0080 | (q.flags & 0x0100) | (a.rcode & 0xF)
        if a.authoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        w.u16(flags)
        w.u16(1)
        w.u16(UInt16(clamping: a.answers.count))
        w.u16(UInt16(clamping: a.authority.count))
        w.u16(UInt16(clamping: a.additional.count + (q.ednsSize != nil ? 1 : 0)))
        // The question as asked, then the client's spelling is reused by compression.
        for l in q.question.raw { w.u8(UInt8(l.count)); w.raw(l) }
        w.u8(0)
        w.u16(q.question.type)
        w.u16(q.question.qclass)
        for r in a.answers + a.authority + a.additional { record(&w, r) }
        if q.ednsSize != nil {
            w.u8(0)
            w.u16(DNSType.opt)
            w.u16(1232)
            w.u32(0)
            w.u16(0)
        }
        return w.bytes
    }

    static func record(_ w: inout DNSWriter, _ r: DNSRecord) {
        w.name(r.name)
        w.u16(r.data.type)
        w.u16(1)
        w.u32(r.ttl)
        let lengthAt = w.count
        w.u16(0)
        let start = w.count
        switch r.data {
        case .a(let ip): w.u32(ip)
        case .aaaa(let b): w.raw(b)
        case .cname(let n), .ptr(let n), .ns(let n): w.name(n)
        case .srv(let p, let wt, let port, let target):
            w.u16(p); w.u16(wt); w.u16(port)
            w.name(target, compress: false) // RFC 2782: no compression of the target
        case .soa(let m, let rn, let serial, let refresh, let retry, let expire, let minimum):
            w.name(m); w.name(rn)
            w.u32(serial); w.u32(refresh); w.u32(retry); w.u32(expire); w.u32(minimum)
        }
        w.setU16(UInt16(w.count - start), at: lengthAt)
    }

    /// The A, AAAA and CNAME records of a response's answer section (an upstream's
    /// answer for an ExternalName target), names decompressed; nil if unreadable.
    static func answerRecords(_ b: [UInt8]) -> (rcode: UInt16, records: [DNSRecord])? {
        var r = DNSReader(b)
        do {
            _ = try r.u16()
            let flags = try r.u16()
            let qd = try r.u16(), an = try r.u16()
            try r.skip(4)
            for _ in 0..<qd { _ = try r.name(); try r.skip(4) }
            var out: [DNSRecord] = []
            for _ in 0..<an {
                let name = try r.name()
                let type = try r.u16()
                try r.skip(2)
                let ttl = try r.u32()
                let len = Int(try r.u16())
                let end = r.offset + len
                guard end <= b.count else { return nil }
                switch (type, len) {
                case (DNSType.a, 4): out.append(DNSRecord(name: name, ttl: ttl, data: .a(try r.u32())))
                case (DNSType.aaaa, 16): out.append(DNSRecord(name: name, ttl: ttl, data: .aaaa(try r.take(16))))
                case (DNSType.cname, _): out.append(DNSRecord(name: name, ttl: ttl, data: .cname(try r.name())))
                default: break
                }
                r.offset = end
            }
            return (flags & 0xF, out)
        } catch {
            return nil
        }
    }

    /// An error answer with no records (FORMERR, NOTIMP, SERVFAIL, REFUSED) for a query we could read the header of.
    static func error(id: UInt16, flags: UInt16, rcode: UInt16) -> [UInt8] {
        var w = DNSWriter(capacity: 12)
        w.u16(id)
        w.u16(0x8000 | 0x0080 | (flags & 0x0100) | (flags & 0x7800) | rcode)
        for _ in 0..<4 { w.u16(0) }
        return w.bytes
    }
}
