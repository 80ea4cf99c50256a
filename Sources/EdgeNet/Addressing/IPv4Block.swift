/// An IPv4 network (10.42.0.0/16).
struct IPv4Block: Hashable, Sendable, CustomStringConvertible {
    let network: UInt32
    let prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPv4Text.parse(parts[0]), let p = Int(parts[1]), (0...32).contains(p) else { return nil }
        prefix = p
        network = ip & Self.mask(p)
    }

    init(network: UInt32, prefix: Int) {
        self.prefix = prefix
        self.network = network & Self.mask(prefix)
    }

    static func mask(_ p: Int) -> UInt32 { p == 0 ? 0 : UInt32.max << UInt32(32 - p) }

    func contains(_ ip: UInt32) -> Bool { ip & Self.mask(prefix) == network }

    var description: String { IPv4Text.format(network) + "/\(prefix)" }
}
