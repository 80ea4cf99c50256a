/// An IPv4 network in CIDR form (10.42.0.0/16): cluster, service and node pod
/// ranges. The address is kept as written so `10.42.1.7/24` (an interface's
/// address with its prefix) and the network it lies in are both expressible.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefixLength: Int

    public init?(address: IPv4Address, prefixLength: Int) {
        guard (0...32).contains(prefixLength) else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// `a.b.c.d/n`; nil for anything else (IPv6, a bare address, a prefix out of 0-32).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPv4Address(String(parts[0])), (1...2).contains(parts[1].count),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(parts[1]) else { return nil }
        self.init(address: ip, prefixLength: n)
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength) }
    public var network: IPv4Address { IPv4Address(address.value & mask) }
    /// This network in canonical form (host bits cleared).
    public var canonical: IPv4CIDR { IPv4CIDR(address: network, prefixLength: prefixLength)! }
    public var isCanonical: Bool { address == network }
    public var broadcast: IPv4Address { IPv4Address(network.value | ~mask) }
    /// Addresses in the network, as a 64-bit count (a /0 holds 2^32).
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    public func contains(_ ip: IPv4Address) -> Bool { ip.value & mask == network.value }

    /// True when the two networks share any address (one contains the other).
    public func overlaps(_ other: IPv4CIDR) -> Bool {
        let shorter = min(prefixLength, other.prefixLength)
        let m: UInt32 = shorter == 0 ? 0 : UInt32.max << UInt32(32 - shorter)
        return address.value & m == other.address.value & m
    }

    /// The n-th address of the network (0 is the network address); nil past its end.
    public func address(at offset: UInt64) -> IPv4Address? {
        guard offset < size else { return nil }
        return IPv4Address(network.value &+ UInt32(truncatingIfNeeded: offset))
    }

    /// How many subnets of `length` this network splits into; nil when length is shorter than the prefix or over 32.
    public func subnetCount(length: Int) -> UInt64? {
        guard length >= prefixLength, length <= 32 else { return nil }
        return UInt64(1) << UInt64(length - prefixLength)
    }

    /// The index-th subnet of `length` (10.42.0.0/16, 24, 3 -> 10.42.3.0/24); nil out of range.
    public func subnet(length: Int, index: UInt64) -> IPv4CIDR? {
        guard let count = subnetCount(length: length), index < count else { return nil }
        let step = UInt64(1) << UInt64(32 - length)
        return IPv4CIDR(address: IPv4Address(network.value &+ UInt32(truncatingIfNeeded: index * step)), prefixLength: length)
    }

    /// Where `sub` sits among this network's subnets of its length; nil if it is not one of them.
    public func subnetIndex(of sub: IPv4CIDR) -> UInt64? {
        guard sub.prefixLength >= prefixLength, sub.isCanonical, contains(sub.address) else { return nil }
        return UInt64(sub.network.value - network.value) >> UInt64(32 - sub.prefixLength)
    }

    public var description: String { "\(address)/\(prefixLength)" }
}
