import EdgeAPI

/// A network device as netlink reports it.
public struct LinkInfo: Equatable, Sendable {
    public var index: Int32
    public var name: String
    public var kind: String
    public var mtu: Int
    public var master: Int32
    public var isUp: Bool
    public var mac: MACAddress?
    public var vxlan: VXLANInfo?

    public struct VXLANInfo: Equatable, Sendable {
        public var vni: UInt32
        public var local: IPv4Address
        public var port: UInt16
        public var device: Int32
        public init(vni: UInt32, local: IPv4Address, port: UInt16, device: Int32) {
            self.vni = vni
            self.local = local
            self.port = port
            self.device = device
        }
    }

    public init(index: Int32, name: String, kind: String, mtu: Int, master: Int32 = 0, isUp: Bool = true, mac: MACAddress? = nil,
                vxlan: VXLANInfo? = nil) {
        self.index = index
        self.name = name
        self.kind = kind
        self.mtu = mtu
        self.master = master
        self.isUp = isUp
        self.mac = mac
        self.vxlan = vxlan
    }
}

/// An IPv4 address on a link.
public struct LinkAddress: Equatable, Sendable {
    public var index: Int32
    public var address: IPv4CIDR
    public init(index: Int32, address: IPv4CIDR) {
        self.index = index
        self.address = address
    }
}

/// A route of the main table. `protocol` tags edgectl's own (RouteProtocol.edgectl).
public struct Route: Hashable, Sendable {
    public var destination: IPv4CIDR
    public var gateway: IPv4Address?
    public var device: Int32
    public var onLink: Bool
    public var routeProtocol: UInt8

    public init(destination: IPv4CIDR, gateway: IPv4Address?, device: Int32, onLink: Bool = false, routeProtocol: UInt8 = RouteProtocol.edgectl) {
        self.destination = destination
        self.gateway = gateway
        self.device = device
        self.onLink = onLink
        self.routeProtocol = routeProtocol
    }
}

public enum RouteProtocol {
    /// The routing protocol number edgectl marks its routes with (`ip route show proto 237`), so it
    /// finds and removes exactly its own and never anyone else's.
    public static let edgectl: UInt8 = 237
}

/// A permanent neighbour (ARP) entry, or a VXLAN forwarding entry (MAC -> remote VTEP address).
public struct NeighbourEntry: Hashable, Sendable {
    public var ip: IPv4Address
    public var mac: MACAddress
    public init(ip: IPv4Address, mac: MACAddress) {
        self.ip = ip
        self.mac = mac
    }
}

/// The kernel operations the pod network needs, behind a protocol so the
/// node network's decisions are tested with a fake (Netlink is the real one).
public protocol HostNetworkOps: Sendable {
    func link(named: String) throws -> LinkInfo?
    func links() throws -> [LinkInfo]
    func addBridge(name: String, mtu: Int, mac: MACAddress) throws
    func addVXLAN(name: String, vni: UInt32, local: IPv4Address, device: Int32, port: UInt16, mtu: Int, mac: MACAddress) throws
    /// A veth pair: `name` here, a port of `master` (if > 0) and up; `peer` inside the namespace at
    /// `peerNamespace` (here when nil), down.
    func addVeth(name: String, master: Int32, mtu: Int, peer: String, peerNamespace: String?, peerMAC: MACAddress?) throws
    func setLink(index: Int32, up: Bool?, mtu: Int?) throws
    func deleteLink(index: Int32) throws
    func addresses() throws -> [LinkAddress]
    func addAddress(index: Int32, _ address: IPv4CIDR) throws
    func deleteAddress(index: Int32, _ address: IPv4CIDR) throws
    func routes(protocol: UInt8) throws -> [Route]
    func replaceRoute(_ route: Route) throws
    func deleteRoute(_ route: Route) throws
    func neighbours(index: Int32) throws -> [NeighbourEntry]
    func replaceNeighbour(index: Int32, _ entry: NeighbourEntry) throws
    func deleteNeighbour(index: Int32, _ entry: NeighbourEntry) throws
    func forwardingEntries(index: Int32) throws -> [NeighbourEntry]
    func replaceForwardingEntry(index: Int32, _ entry: NeighbourEntry) throws
    func deleteForwardingEntry(index: Int32, _ entry: NeighbourEntry) throws
    /// Inside a pod's namespace: address `interface`, bring it up, default route via `gateway`
    /// (with an MTU metric `routeMTU` when it is smaller than the link's).
    func configurePodInterface(namespace: String, interface: String, address: IPv4CIDR, gateway: IPv4Address, routeMTU: Int?) throws
    /// Removes `interface` from the pod's namespace if it is there (a half-done earlier attempt).
    func deletePodInterface(namespace: String, interface: String) throws
    /// Sets a /proc/sys value (net.ipv4.ip_forward) in this network namespace.
    func setSysctl(_ key: String, _ value: String) throws
}
