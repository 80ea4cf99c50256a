import EdgeAPI
import Synchronization
@testable import EdgeNet
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's network state in memory: what NodeNetwork creates, routes and removes,
/// with failures injectable per device kind (a node without vxlan support).
final class FakeHostNetwork: HostNetworkOps {
    struct State {
        var links: [LinkInfo] = []
        var addresses: [LinkAddress] = []
        var routes: Set<Route> = []
        var neighbours: [Int32: Set<NeighbourEntry>] = [:]
        var forwarding: [Int32: Set<NeighbourEntry>] = [:]
        var sysctls: [String: String] = [:]
        var podInterfaces: [String: (address: IPv4CIDR, gateway: IPv4Address, routeMTU: Int?)] = [:]
        var nextIndex: Int32 = 10
        var unsupportedKinds: Set<String> = []
        var calls: [String] = []
    }
    let state = Mutex(State())

    /// A node with eth0 at `ip`/24, MTU 1500.
    init(uplinkIP: String = "192.0.2.11", mtu: Int = 1500) {
        state.withLock { s in
            s.links = [LinkInfo(index: 1, name: "lo", kind: "", mtu: 65536), LinkInfo(index: 2, name: "eth0", kind: "", mtu: mtu)]
            s.addresses = [LinkAddress(index: 1, address: IPv4CIDR("127.0.0.1/8")!), LinkAddress(index: 2, address: IPv4CIDR(uplinkIP + "/24")!)]
        }
    }

    func named(_ name: String) -> LinkInfo? { state.withLock { $0.links.first { $0.name == name } } }

    func add(_ kind: String, _ name: String, mtu: Int, mac: MACAddress?, master: Int32 = 0, vxlan: LinkInfo.VXLANInfo? = nil) throws {
        try state.withLock { s in
            s.calls.append("add \(kind) \(name)")
            if s.unsupportedKinds.contains(kind) {
                throw NetworkError(code: EOPNOTSUPP, "creating \(kind == "vxlan" ? "vxlan device" : kind) \(name): Operation not supported (Unknown device type)")
            }
            if s.links.contains(where: { $0.name == name }) { throw NetworkError(code: EEXIST, "creating \(name): File exists") }
            s.nextIndex += 1
            s.links.append(LinkInfo(index: s.nextIndex, name: name, kind: kind, mtu: mtu, master: master, isUp: kind == "veth", mac: mac, vxlan: vxlan))
        }
    }

    func link(named name: String) throws -> LinkInfo? { named(name) }
    func links() throws -> [LinkInfo] { state.withLock { $0.links } }
    func addBridge(name: String, mtu: Int, mac: MACAddress) throws { try add("bridge", name, mtu: mtu, mac: mac) }
    func addVXLAN(name: String, vni: UInt32, local: IPv4Address, device: Int32, port: UInt16, mtu: Int, mac: MACAddress) throws {
        try add("vxlan", name, mtu: mtu, mac: mac, vxlan: .init(vni: vni, local: local, port: port, device: device))
    }
    func addVeth(name: String, master: Int32, mtu: Int, peer: String, peerNamespace: String?, peerMAC: MACAddress?) throws {
        try add("veth", name, mtu: mtu, mac: nil, master: master)
        if peerNamespace == nil { try add("veth", peer, mtu: mtu, mac: peerMAC) }
    }
    func setLink(index: Int32, up: Bool?, mtu: Int?) throws {
        state.withLock { s in
            guard let i = s.links.firstIndex(where: { $0.index == index }) else { return }
            if let up { s.links[i].isUp = up }
            if let mtu { s.links[i].mtu = mtu }
        }
    }
    func deleteLink(index: Int32) throws {
        try state.withLock { s in
            guard let l = s.links.first(where: { $0.index == index }) else { throw NetworkError(code: ENODEV, "no link \(index)") }
            s.calls.append("del \(l.name)")
            s.links.removeAll { $0.index == index }
            s.addresses.removeAll { $0.index == index }
            s.routes = s.routes.filter { $0.device != index }
            s.neighbours[index] = nil
            s.forwarding[index] = nil
            // A veth pair made in one namespace goes as a pair.
            if l.name.hasPrefix("edgevprobe") { s.links.removeAll { $0.name.hasPrefix("edgevprobe") } }
        }
    }
    func addresses() throws -> [LinkAddress] { state.withLock { $0.addresses } }
    func addAddress(index: Int32, _ address: IPv4CIDR) throws {
        state.withLock { s in if !s.addresses.contains(LinkAddress(index: index, address: address)) { s.addresses.append(LinkAddress(index: index, address: address)) } }
    }
    func deleteAddress(index: Int32, _ address: IPv4CIDR) throws { state.withLock { $0.addresses.removeAll { $0 == LinkAddress(index: index, address: address) } } }
    func routes(protocol p: UInt8) throws -> [Route] { state.withLock { Array($0.routes.filter { $0.routeProtocol == p }) } }
    func replaceRoute(_ route: Route) throws {
        try state.withLock { s in
            // host-gw: the gateway must be on the uplink's segment, as the kernel insists.
            if !route.onLink, let gw = route.gateway, !s.addresses.contains(where: { $0.index == route.device && $0.address.contains(gw) }) {
                throw NetworkError(code: ENETUNREACH, "adding route to \(route.destination): Network is unreachable")
            }
            s.routes = s.routes.filter { $0.destination != route.destination }
            s.routes.insert(route)
        }
    }
    func deleteRoute(_ route: Route) throws { state.withLock { _ = $0.routes.remove(route) } }
    func neighbours(index: Int32) throws -> [NeighbourEntry] { state.withLock { Array($0.neighbours[index] ?? []) } }
    func replaceNeighbour(index: Int32, _ e: NeighbourEntry) throws { state.withLock { _ = $0.neighbours[index, default: []].insert(e) } }
    func deleteNeighbour(index: Int32, _ e: NeighbourEntry) throws { state.withLock { _ = $0.neighbours[index]?.remove(e) } }
    func forwardingEntries(index: Int32) throws -> [NeighbourEntry] { state.withLock { Array($0.forwarding[index] ?? []) } }
    func replaceForwardingEntry(index: Int32, _ e: NeighbourEntry) throws { state.withLock { _ = $0.forwarding[index, default: []].insert(e) } }
    func deleteForwardingEntry(index: Int32, _ e: NeighbourEntry) throws { state.withLock { _ = $0.forwarding[index]?.remove(e) } }
    func configurePodInterface(namespace: String, interface: String, address: IPv4CIDR, gateway: IPv4Address, routeMTU: Int?) throws {
        state.withLock { $0.podInterfaces[namespace] = (address, gateway, routeMTU) }
    }
    func deletePodInterface(namespace: String, interface: String) throws { state.withLock { _ = $0.podInterfaces.removeValue(forKey: namespace) } }
    func setSysctl(_ key: String, _ value: String) throws { state.withLock { $0.sysctls[key] = value } }
}
