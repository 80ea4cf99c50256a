import EdgeAPI

/// The node's own end of the built-in network, decided from its pod range,
/// its address and the uplink that address is on: the bridge's gateway
/// address, the MTUs, and the VXLAN device's address and MAC.
///
/// MTUs: traffic between pods of one node never leaves the bridge, so the
/// bridge and the pods' links keep the uplink's MTU (`linkMTU`); what leaves
/// the node's range takes the pod's default route, which with vxlan carries
/// the uplink's MTU less the 50 bytes of encapsulation (`podRouteMTU`, as the
/// VXLAN device's `mtu`). Flannel gives the pods' links the smaller one; with
/// it a same-node TCP stream measured 7 % slower in the lab (docs/BENCHMARKS.md).
public struct BridgePlan: Equatable, Sendable {
    public static let bridgeName = "edge0"
    public static let vxlanName = "edge.1"
    /// Host ends of pod veths: "edgev" + 10 hex digits of the pod's UID hash.
    public static let vethPrefix = "edgev"
    public static let vxlanVNI: UInt32 = 1
    public static let vxlanPort: UInt16 = 8472
    public static let vxlanOverhead = 50

    public var backend: FlannelBackend
    public var podCIDR: IPv4CIDR
    public var nodeIP: IPv4Address
    public var uplink: LinkInfo
    public var gateway: IPv4Address { podCIDR.address(at: 1)! }
    public var bridgeAddress: IPv4CIDR { IPv4CIDR(address: gateway, prefixLength: podCIDR.prefixLength)! }
    public var bridgeMAC: MACAddress { MACAddress.derived(from: gateway) }
    /// The MTU across nodes: the VXLAN device's, and the pods' default route's.
    public var mtu: Int { backend == .vxlan ? uplink.mtu - Self.vxlanOverhead : uplink.mtu }
    /// The bridge's and the pods' links'.
    public var linkMTU: Int { uplink.mtu }
    /// The MTU metric on the pods' default route, nil when it is the link's.
    public var podRouteMTU: Int? { mtu == linkMTU ? nil : mtu }
    /// The VTEP address: the pod range's network address, as flannel gives flannel.1.
    public var vtepAddress: IPv4CIDR { IPv4CIDR(address: podCIDR.network, prefixLength: 32)! }
    public var vtepMAC: MACAddress { MACAddress.derived(from: podCIDR.network, prefix: 0x0e) }

    public init(backend: FlannelBackend, podCIDR: IPv4CIDR, nodeIP: IPv4Address, uplink: LinkInfo) {
        self.backend = backend
        self.podCIDR = podCIDR.canonical
        self.nodeIP = nodeIP
        self.uplink = uplink
    }

    /// The uplink: the link that holds the node's address.
    public static func uplink(for nodeIP: IPv4Address, addresses: [LinkAddress], links: [LinkInfo]) -> LinkInfo? {
        guard let index = addresses.first(where: { $0.address.address == nodeIP })?.index else { return nil }
        return links.first { $0.index == index }
    }

    public static func vethName(podUID: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in podUID.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        let hex = String(h & 0xff_ffff_ffff, radix: 16)
        return vethPrefix + String(repeating: "0", count: 10 - hex.count) + hex
    }

    /// True for a name of a pod veth's host end.
    public static func isPodVeth(_ name: String) -> Bool {
        name.hasPrefix(vethPrefix) && name.count == vethPrefix.count + 10
    }
}
