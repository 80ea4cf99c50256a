import EdgeAPI

/// The kernel state that makes other nodes' pods reachable, as a pure function
/// of the peers (flannel's backends): vxlan routes each remote pod range via
/// the peer's VTEP address on the VXLAN device, with a permanent neighbour entry
/// for that address and a forwarding entry sending its MAC to the peer's node
/// address; host-gw routes each remote pod range via the peer's node address.
/// Nodes write their own Node objects, so a range is only trusted inside the
/// cluster's range and held by one node alone: a node cannot draw other
/// traffic (or another node's pods) to itself by claiming a range.
public struct PeerRoutes: Equatable, Sendable {
    public var routes: Set<Route> = []
    public var neighbours: Set<NeighbourEntry> = []
    public var forwarding: Set<NeighbourEntry> = []

    public init() {}

    public static func plan(backend: FlannelBackend, clusterCIDR: IPv4CIDR, ownPodCIDR: IPv4CIDR, peers: [PeerNode], vxlanDevice: Int32,
                            uplink: Int32) -> PeerRoutes {
        var out = PeerRoutes()
        var holders: [IPv4CIDR: Int] = [:]
        for p in peers { holders[p.podCIDR, default: 0] += 1 }
        for p in peers where p.podCIDR != ownPodCIDR && !p.podCIDR.overlaps(ownPodCIDR) && holders[p.podCIDR] == 1
            && p.podCIDR.prefixLength >= clusterCIDR.prefixLength && clusterCIDR.contains(p.podCIDR.network) {
            switch backend {
            case .vxlan:
                guard p.backend == FlannelBackend.vxlan.rawValue, let mac = p.vtepMAC else { continue }
                let vtep = p.podCIDR.network
                out.routes.insert(Route(destination: p.podCIDR, gateway: vtep, device: vxlanDevice, onLink: true))
                out.neighbours.insert(NeighbourEntry(ip: vtep, mac: mac))
                out.forwarding.insert(NeighbourEntry(ip: p.publicIP, mac: mac))
            case .hostGW:
                out.routes.insert(Route(destination: p.podCIDR, gateway: p.publicIP, device: uplink))
            case .none:
                continue
            }
        }
        return out
    }
}
