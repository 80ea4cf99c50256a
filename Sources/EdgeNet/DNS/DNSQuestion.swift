/// The one question of a query.
struct DNSQuestion: Equatable, Sendable {
    /// Lowercased, for lookups.
    var name: DNSName
    /// As the client wrote it (resolvers may randomise case and check it comes back).
    var raw: [[UInt8]]
    var type: UInt16
    var qclass: UInt16
}
