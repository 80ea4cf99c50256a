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
