import Synchronization

/// A small cache of forwarded answers, keyed by question. Entries live for
/// their smallest TTL (capped at 30 s, as CoreDNS's cache), and come back with
/// the caller's id and their TTLs counted down.
final class DNSCache: Sendable {
    struct Key: Hashable {
        var name: DNSName
        var type: UInt16
        var qclass: UInt16
    }

    struct Entry {
        var bytes: [UInt8]
        /// Where each record's TTL sits, and its value when stored.
        var ttlOffsets: [Int]
        var ttls: [UInt32]
        var stored: ContinuousClock.Instant
        var expires: ContinuousClock.Instant
    }

    static let maxTTL: UInt32 = 30
    let capacity: Int
    private let entries = Mutex([Key: Entry]())

    init(capacity: Int = 4096) { self.capacity = capacity }

    var count: Int { entries.withLock { $0.count } }

    func get(_ key: Key, id: UInt16, now: ContinuousClock.Instant = .now) -> [UInt8]? {
        guard let e = entries.withLock({ $0[key] }) else { return nil }
        guard now < e.expires else {
            entries.withLock { _ = $0.removeValue(forKey: key) }
            return nil
        }
        var out = e.bytes
        out[0] = UInt8(id >> 8)
        out[1] = UInt8(id & 0xFF)
        let elapsed = UInt32(clamping: (now - e.stored).components.seconds)
        for (i, off) in e.ttlOffsets.enumerated() {
            let t = e.ttls[i] > elapsed ? e.ttls[i] - elapsed : 0
            out[off] = UInt8(t >> 24); out[off + 1] = UInt8(t >> 16 & 0xFF); out[off + 2] = UInt8(t >> 8 & 0xFF); out[off + 3] = UInt8(t & 0xFF)
        }
        return out
    }

    /// Stores a response if it is worth keeping (NOERROR or NXDOMAIN, not truncated, readable).
    func put(_ key: Key, response: [UInt8], now: ContinuousClock.Instant = .now) {
        guard let (offsets, ttls, lifetime) = Self.inspect(response), lifetime > 0 else { return }
        let entry = Entry(bytes: response, ttlOffsets: offsets, ttls: ttls, stored: now, expires: now + .seconds(Int64(lifetime)))
        entries.withLock { m in
            if m.count >= capacity, m[key] == nil {
                // Expired ones first; if none, any one (the cache is small and short-lived).
                if let old = m.first(where: { $0.value.expires <= now })?.key ?? m.keys.first { m.removeValue(forKey: old) }
            }
            m[key] = entry
        }
    }

    /// TTL offsets and values of every record (OPT excluded), and how long to keep the answer.
    static func inspect(_ b: [UInt8]) -> ([Int], [UInt32], UInt32)? {
        var r = DNSReader(b)
        guard let _ = try? r.u16(), let flags = try? r.u16() else { return nil }
        let rcode = flags & 0xF
        guard flags & 0x0200 == 0, rcode == DNSRcode.noError || rcode == DNSRcode.nxDomain else { return nil }
        do {
            let qd = try r.u16(), an = try r.u16(), ns = try r.u16(), ar = try r.u16()
            for _ in 0..<qd { _ = try r.name(); try r.skip(4) }
            var offsets: [Int] = [], ttls: [UInt32] = []
            var lifetime = maxTTL
            var negativeTTL: UInt32?
            for i in 0..<(Int(an) + Int(ns) + Int(ar)) {
                _ = try r.name()
                let type = try r.u16()
                try r.skip(2)
                let at = r.offset
                let ttl = try r.u32()
                let len = Int(try r.u16())
                if type == DNSType.soa && i >= Int(an) && i < Int(an) + Int(ns) {
                    // Negative answers live for the SOA's minimum (RFC 2308), bounded by its TTL.
                    var rr = r
                    _ = try rr.name(); _ = try rr.name()
                    try rr.skip(16)
                    negativeTTL = min(ttl, try rr.u32())
                }
                try r.skip(len)
                guard type != DNSType.opt else { continue }
                offsets.append(at)
                ttls.append(ttl)
                if i < Int(an) { lifetime = min(lifetime, ttl) }
            }
            if an == 0 { lifetime = min(maxTTL, negativeTTL ?? 0) }
            return (offsets, ttls, lifetime)
        } catch {
            return nil
        }
    }
}
