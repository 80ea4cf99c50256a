import CEdgeNet
import EdgeAPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// HostNetworkOps over rtnetlink (CEdgeNet): one socket in the agent's own
/// namespace, used one request at a time; pod namespaces get a socket of
/// their own per call. No process is started for any of it.
public final class Netlink: HostNetworkOps {
    let socket: Mutex<Int32>

    public init() throws {
        var err = [CChar](repeating: 0, count: 512)
        let fd = edge_nl_open(&err, err.count)
        guard fd >= 0 else { throw NetworkError(code: -fd, Self.message(err)) }
        socket = Mutex(fd)
    }

    deinit { socket.withLock { edge_nl_close($0) } }

    /// Runs a C call with the shared socket and an error buffer; a negative result becomes a NetworkError.
    @discardableResult
    func call(_ body: (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> Int32 {
        try socket.withLock { fd in try Self.check(fd, body) }
    }

    @discardableResult
    static func check(_ fd: Int32, _ body: (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> Int32 {
        var err = [CChar](repeating: 0, count: 512)
        let rc = err.withUnsafeMutableBufferPointer { body(fd, $0.baseAddress!, $0.count) }
        if rc < 0 { throw NetworkError(code: -rc, Self.message(err)) }
        return rc
    }

    static func errnoText(_ code: Int32) -> String {
        guard let p = strerror(code) else { return "error \(code)" }
        return String(validatingCString: p) ?? "error \(code)"
    }

    /// A NUL-terminated C message buffer as text.
    static func message(_ buf: [CChar]) -> String {
        String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func info(_ l: edge_link) -> LinkInfo {
        var l = l
        let name = withUnsafeBytes(of: &l.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let kind = withUnsafeBytes(of: &l.kind) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let mac = withUnsafeBytes(of: &l.mac) { MACAddress(bytes: Array($0)) }
        let vxlan = kind == "vxlan" ? LinkInfo.VXLANInfo(vni: l.vxlan_vni, local: IPv4Address(l.vxlan_local), port: l.vxlan_port,
                                                         device: l.vxlan_dev) : nil
        return LinkInfo(index: l.index, name: name, kind: kind, mtu: Int(l.mtu), master: l.master, isUp: (l.flags & UInt32(IFF_UP)) != 0,
                        mac: mac, vxlan: vxlan)
    }

    @discardableResult
    static func withMAC<T>(_ mac: MACAddress, _ body: (UnsafePointer<UInt8>) throws -> T) rethrows -> T {
        try mac.bytes.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    public func link(named name: String) throws -> LinkInfo? {
        var l = edge_link()
        do {
            try call { edge_nl_link_by_name($0, name, &l, $1, $2) }
        } catch let e as NetworkError where e.code == ENODEV {
            return nil
        }
        return Self.info(l)
    }

    public func links() throws -> [LinkInfo] {
        var buf = [edge_link](repeating: edge_link(), count: 1024)
        let n = try call { fd, err, len in buf.withUnsafeMutableBufferPointer { edge_nl_link_list(fd, $0.baseAddress, Int32($0.count), err, len) } }
        return buf.prefix(Int(n)).map(Self.info)
    }

    public func addBridge(name: String, mtu: Int, mac: MACAddress) throws {
        try Self.withMAC(mac) { m in try call { edge_nl_bridge_add($0, name, Int32(mtu), m, $1, $2) } }
    }

    public func addVXLAN(name: String, vni: UInt32, local: IPv4Address, device: Int32, port: UInt16, mtu: Int, mac: MACAddress) throws {
        try Self.withMAC(mac) { m in try call { edge_nl_vxlan_add($0, name, vni, local.value, device, port, Int32(mtu), m, $1, $2) } }
    }

    public func addVeth(name: String, master: Int32, mtu: Int, peer: String, peerNamespace: String?, peerMAC: MACAddress?) throws {
        var ns: Int32 = -1
        if let peerNamespace {
            ns = open(peerNamespace, O_RDONLY | O_CLOEXEC)
            guard ns >= 0 else { throw NetworkError(code: errno, "opening network namespace \(peerNamespace): \(Self.errnoText(errno))") }
        }
        defer { if ns >= 0 { close(ns) } }
        if let peerMAC {
            try Self.withMAC(peerMAC) { m in try call { edge_nl_veth_add($0, name, master, Int32(mtu), peer, ns, m, $1, $2) } }
        } else {
            try call { edge_nl_veth_add($0, name, master, Int32(mtu), peer, ns, nil, $1, $2) }
        }
    }

    public func setLink(index: Int32, up: Bool?, mtu: Int?) throws {
        try call { edge_nl_link_set($0, index, up.map { $0 ? 1 : 0 } ?? -1, Int32(mtu ?? 0), $1, $2) }
    }

    public func deleteLink(index: Int32) throws {
        try call { edge_nl_link_del($0, index, $1, $2) }
    }

    public func addresses() throws -> [LinkAddress] {
        var buf = [edge_addr](repeating: edge_addr(), count: 1024)
        let n = try call { fd, err, len in buf.withUnsafeMutableBufferPointer { edge_nl_addr_list(fd, $0.baseAddress, Int32($0.count), err, len) } }
        return buf.prefix(Int(n)).compactMap { a in
            IPv4CIDR(address: IPv4Address(a.addr), prefixLength: Int(a.prefix)).map { LinkAddress(index: a.index, address: $0) }
        }
    }

    public func addAddress(index: Int32, _ address: IPv4CIDR) throws {
        try call { edge_nl_addr_add($0, index, address.address.value, Int32(address.prefixLength), $1, $2) }
    }

    public func deleteAddress(index: Int32, _ address: IPv4CIDR) throws {
        try call { edge_nl_addr_del($0, index, address.address.value, Int32(address.prefixLength), $1, $2) }
    }

    public func routes(protocol p: UInt8) throws -> [Route] {
        var buf = [edge_route](repeating: edge_route(), count: 4096)
        let n = try call { fd, err, len in buf.withUnsafeMutableBufferPointer { edge_nl_route_list(fd, Int32(p), $0.baseAddress, Int32($0.count), err, len) } }
        return buf.prefix(Int(n)).compactMap { r in
            guard let dst = IPv4CIDR(address: IPv4Address(r.dst), prefixLength: Int(r.prefix)) else { return nil }
            return Route(destination: dst, gateway: r.gateway == 0 ? nil : IPv4Address(r.gateway), device: r.oif, onLink: r.onlink != 0,
                         routeProtocol: UInt8(truncatingIfNeeded: r.protocol))
        }
    }

    public func replaceRoute(_ r: Route) throws {
        try call { edge_nl_route_replace($0, r.destination.network.value, Int32(r.destination.prefixLength), r.gateway?.value ?? 0, r.device,
                                         r.onLink ? 1 : 0, Int32(r.routeProtocol), $1, $2) }
    }

    public func deleteRoute(_ r: Route) throws {
        try call { edge_nl_route_del($0, r.destination.network.value, Int32(r.destination.prefixLength), r.gateway?.value ?? 0, r.device,
                                     Int32(r.routeProtocol), $1, $2) }
    }

    func neighbourList(_ list: (Int32, UnsafeMutablePointer<edge_neigh>?, Int32, UnsafeMutablePointer<CChar>, Int) -> Int32,
                       bridge: Bool) throws -> [NeighbourEntry] {
        var buf = [edge_neigh](repeating: edge_neigh(), count: 4096)
        let n = try call { fd, err, len in buf.withUnsafeMutableBufferPointer { list(fd, $0.baseAddress, Int32($0.count), err, len) } }
        return buf.prefix(Int(n)).compactMap { e in
            var e = e
            guard let mac = withUnsafeBytes(of: &e.mac, { MACAddress(bytes: Array($0)) }) else { return nil }
            let ip = bridge ? e.dst : e.ip
            return ip == 0 ? nil : NeighbourEntry(ip: IPv4Address(ip), mac: mac)
        }
    }

    public func neighbours(index: Int32) throws -> [NeighbourEntry] {
        try neighbourList({ edge_nl_neigh_list($0, index, $1, $2, $3, $4) }, bridge: false)
    }

    public func replaceNeighbour(index: Int32, _ e: NeighbourEntry) throws {
        try Self.withMAC(e.mac) { m in try call { edge_nl_neigh_replace($0, index, e.ip.value, m, $1, $2) } }
    }

    public func deleteNeighbour(index: Int32, _ e: NeighbourEntry) throws {
        try call { edge_nl_neigh_del($0, index, e.ip.value, $1, $2) }
    }

    public func forwardingEntries(index: Int32) throws -> [NeighbourEntry] {
        try neighbourList({ edge_nl_fdb_list($0, index, $1, $2, $3, $4) }, bridge: true)
    }

    public func replaceForwardingEntry(index: Int32, _ e: NeighbourEntry) throws {
        try Self.withMAC(e.mac) { m in try call { edge_nl_fdb_replace($0, index, m, e.ip.value, $1, $2) } }
    }

    public func deleteForwardingEntry(index: Int32, _ e: NeighbourEntry) throws {
        try Self.withMAC(e.mac) { m in try call { edge_nl_fdb_del($0, index, m, e.ip.value, $1, $2) } }
    }

    /// A socket inside the pod's namespace, closed after body.
    static func inNamespace<T>(_ path: String, _ body: (Int32) throws -> T) throws -> T {
        var err = [CChar](repeating: 0, count: 512)
        let fd = edge_nl_open_in(path, &err, err.count)
        guard fd >= 0 else { throw NetworkError(code: -fd, Self.message(err)) }
        defer { edge_nl_close(fd) }
        return try body(fd)
    }

    public func configurePodInterface(namespace: String, interface: String, address: IPv4CIDR, gateway: IPv4Address, routeMTU: Int?) throws {
        try Self.inNamespace(namespace) { fd in
            var l = edge_link()
            try Self.check(fd) { edge_nl_link_by_name($0, interface, &l, $1, $2) }
            try Self.check(fd) { edge_nl_addr_add($0, l.index, address.address.value, Int32(address.prefixLength), $1, $2) }
            try Self.check(fd) { edge_nl_link_set($0, l.index, 1, 0, $1, $2) }
            let mtu = UInt32(clamping: max(0, routeMTU ?? 0))
            try Self.check(fd) { edge_nl_route_replace_mtu($0, 0, 0, gateway.value, l.index, 0, 3 /* RTPROT_BOOT, as `ip route add` */, mtu, $1, $2) }
        }
    }

    public func deletePodInterface(namespace: String, interface: String) throws {
        try Self.inNamespace(namespace) { fd in
            var l = edge_link()
            do {
                try Self.check(fd) { edge_nl_link_by_name($0, interface, &l, $1, $2) }
            } catch let e as NetworkError where e.code == ENODEV {
                return
            }
            try Self.check(fd) { edge_nl_link_del($0, l.index, $1, $2) }
        }
    }

    public func setSysctl(_ key: String, _ value: String) throws {
        let path = "/proc/sys/" + key.split(separator: ".").joined(separator: "/")
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NetworkError(code: errno, "opening \(path): \(Self.errnoText(errno))") }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw NetworkError(code: errno, "writing \(value) to \(path): \(Self.errnoText(errno))")
        }
    }
}
