import EdgeAPI

/// A 6-byte hardware address. edgectl derives the ones it sets from IPv4
/// addresses (0a:58:<ip> for pods and the bridge, as the CNI bridge plugin
/// once did), so a pod IP reused later comes with the same MAC and no ARP
/// cache anywhere holds a stale one.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard p.count == 2, let b = UInt8(p, radix: 16) else { return nil }
            out.append(b)
        }
        bytes = out
    }

    /// 0a:58 followed by the address (locally administered, unicast).
    public static func derived(from ip: IPv4Address, prefix: UInt8 = 0x0a) -> MACAddress {
        MACAddress(bytes: [prefix, 0x58] + ip.octets)!
    }

    public var description: String {
        bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: ":")
    }
}
