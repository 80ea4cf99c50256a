import Synchronization

/// The decision for one incoming packet: answer from the cluster zone or the
/// cache, forward, or drop. No I/O here, so it is tested on bytes alone.
final class DNSResponder: Sendable {
    enum Result: Equatable {
        case reply([UInt8])
        /// Ask upstream; the query's id is the client's.
        case forward(DNSQuery)
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

    func replaceZone(_ z: ClusterDNSZone) { zone.withLock { $0 = z } }
    var currentZone: ClusterDNSZone { zone.withLock { $0 } }

    /// `limit`: the largest reply the transport takes (512 or the client's EDNS size over UDP, 65535 over TCP).
    func respond(_ bytes: [UInt8], source: UInt32?, udp: Bool) -> Result {
        let query: DNSQuery
        switch DNSQuery.parse(bytes) {
        case .drop: return .drop
        case .refuse(let id, let flags, let rcode): return .reply(DNSAnswer.error(id: id, flags: flags, rcode: rcode))
        case .query(let q): query = q
        }
        if let source, let blocks = allowed.withLock({ $0 }), source >> 24 != 127, !blocks.contains(where: { $0.contains(source) }) {
            return .reply(DNSAnswer.error(id: query.id, flags: query.flags, rcode: DNSRcode.refused))
        }
        let limit = udp ? Int(max(512, min(query.ednsSize ?? 512, 4096))) : 65535
        switch currentZone.answer(query.question) {
        case .answer(let a):
            return .reply(a.encode(for: query, limit: limit))
        case .forward:
            let key = DNSCache.Key(name: query.question.name, type: query.question.type, qclass: query.question.qclass)
            if let hit = cache.get(key, id: query.id), !udp || hit.count <= limit { return .reply(hit) }
            return .forward(query)
        }
    }
}
