import Synchronization

/// The decision for one incoming packet: answer from the cluster zone or the
/// cache, forward, or drop. No I/O here, so it is tested on bytes alone.
final class DNSResponder: Sendable {
    enum Result: Equatable {
        case reply([UInt8])
        /// Ask upstream; the query's id is the client's.
        case forward(DNSQuery)
        /// An ExternalName's CNAME whose target is outside the cluster: resolve the
        /// target upstream and answer both, as CoreDNS does.
        case chase(DNSQuery, DNSAnswer, target: DNSName)
        case drop
    }

    private let zone: Mutex<ClusterDNSZone>
    let cache: DNSCache
    /// Who may ask: the pod network and the node's own addresses (nil: anyone).
    let allowed: Mutex<[IPv4Block]?>

    init(zone: ClusterDNSZone, cache: DNSCache = DNSCache(), allowed: [IPv4Block]? = nil) {
        self.zone = Mutex(zone)
        self.cache = cache
        self.allowed = Mutex(allowed)
    }

    /// Encoded zone answers by query (header flags RD and everything after the
    /// header, transport), valid until the zone changes: a repeated question is
    /// answered with one copy. Capped; emptied when full.
    private let answers = Mutex([[UInt8]: [UInt8]]())
    static let maxCachedAnswers = 8192

    func replaceZone(_ z: ClusterDNSZone) {
        zone.withLock { $0 = z }
        answers.withLock { $0.removeAll(keepingCapacity: true) }
    }

    /// The cache key of a plain query (one question, at most an OPT record), or nil.
    static func answerKey(_ b: [UInt8], udp: Bool) -> [UInt8]? {
        guard b.count >= 17, b.count <= 512, b[2] & 0xF8 == 0, b[4] == 0, b[5] == 1, b[6] == 0, b[7] == 0, b[8] == 0, b[9] == 0,
              b[10] == 0, b[11] <= 1 else { return nil }
        var key = [b[2] & 0x01, udp ? 1 : 0]
        key += b[4...]
        return key
    }
    var currentZone: ClusterDNSZone { zone.withLock { $0 } }

    func allowed(_ source: UInt32?) -> Bool {
        guard let source, source >> 24 != 127, let blocks = allowed.withLock({ $0 }) else { return true }
        return blocks.contains { $0.contains(source) }
    }

    /// `limit`: the largest reply the transport takes (512 or the client's EDNS size over UDP, 65535 over TCP).
    func respond(_ bytes: [UInt8], source: UInt32?, udp: Bool) -> Result {
        let key = Self.answerKey(bytes, udp: udp)
        if let key, let hit = answers.withLock({ $0[key] }), allowed(source) {
            var out = hit
            out[0] = bytes[0]
            out[1] = bytes[1]
            return .reply(out)
        }
        let query: DNSQuery
        switch DNSQuery.parse(bytes) {
        case .drop: return .drop
        case .refuse(let id, let flags, let rcode): return .reply(DNSAnswer.error(id: id, flags: flags, rcode: rcode))
        case .query(let q): query = q
        }
        guard allowed(source) else { return .reply(DNSAnswer.error(id: query.id, flags: query.flags, rcode: DNSRcode.refused)) }
        let limit = udp ? Int(max(512, min(query.ednsSize ?? 512, 4096))) : 65535
        switch currentZone.answer(query.question) {
        case .answer(var a):
            let qtype = query.question.type
            if a.answers.count == 1, case .cname(let target) = a.answers[0].data,
               qtype == DNSType.a || qtype == DNSType.aaaa || qtype == DNSType.any {
                let zone = currentZone
                guard target.hasSuffix(zone.domain) else { return .chase(query, a, target: target) }
                // A name of the cluster itself: answered here.
                if case .answer(let b) = zone.answer(DNSQuestion(name: target, raw: target.labels, type: qtype, qclass: 1)) {
                    a.answers += b.answers
                }
            }
            let out = a.encode(for: query, limit: limit)
            if let key {
                answers.withLock { m in
                    if m.count >= Self.maxCachedAnswers { m.removeAll(keepingCapacity: true) }
                    m[key] = out
                }
            }
            return .reply(out)
        case .forward:
            let key = DNSCache.Key(name: query.question.name, type: query.question.type, qclass: query.question.qclass)
            if let hit = cache.get(key, id: query.id), !udp || hit.count <= limit { return .reply(hit) }
            return .forward(query)
        }
    }
}
