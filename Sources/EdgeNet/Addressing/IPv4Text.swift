/// IPv4 addresses and networks as the proxy and DNS handle them: 32-bit
/// numbers parsed strictly from their dotted text (four decimal octets).
enum IPv4Text {
    static func parse(_ s: some StringProtocol) -> UInt32? {
        var v: UInt32 = 0
        var octets = 0
        for part in s.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  part.utf8.count == 1 || part.utf8.first != 0x30, let n = UInt32(part), n <= 255 else { return nil }
            v = v << 8 | n
            octets += 1
        }
        return octets == 4 ? v : nil
    }

    static func format(_ v: UInt32) -> String {
        "\(v >> 24).\(v >> 16 & 255).\(v >> 8 & 255).\(v & 255)"
    }
}

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
