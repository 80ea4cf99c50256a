/// Delays between failed attempts to renew the node's client certificate:
/// 2 s doubling to 5 minutes, so a server that is down for a while is not
/// hammered, and one that comes back is noticed soon. Reset after a success.
public struct CertificateRenewalBackoff: Sendable, Equatable {
    public static let initialSeconds: Int64 = 2
    public static let maximumSeconds: Int64 = 300

    var nextSeconds: Int64 = initialSeconds

    public init() {}

    /// The delay before the next attempt, and doubles the one after.
    public mutating func next() -> Int64 {
        defer { nextSeconds = min(nextSeconds * 2, Self.maximumSeconds) }
        return nextSeconds
    }
}
