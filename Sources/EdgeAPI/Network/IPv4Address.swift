/// An IPv4 address as one 32-bit number: what pod, node and service
/// addresses are compared, counted and stored as. Parsing is strict (four
/// decimal octets, no leading zeros), as Go's net.ParseIP that upstream uses.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            // At most 3 digits, no sign, no leading zero (010 would read as octal elsewhere).
            guard (1...3).contains(p.count), p.allSatisfy({ $0.isASCII && $0.isNumber }), p.count == 1 || p.first != "0",
                  let n = UInt32(p), n <= 255 else { return nil }
            v = v << 8 | n
        }
        value = v
    }

    /// The four octets, most significant first.
    public var octets: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 255), UInt8(value >> 8 & 255), UInt8(value & 255)] }

    public var description: String { "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)" }

    public var isLoopback: Bool { value >> 24 == 127 }
    public var isLinkLocal: Bool { value >> 16 == 0xA9FE }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}
