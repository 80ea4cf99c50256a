/// One resource record.
struct DNSRecord: Equatable, Sendable {
    var name: DNSName
    var ttl: UInt32
    var data: DNSRData
}
