import EdgeAPI
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 address of one of this machine's interfaces, with its prefix.
public struct HostAddress: Equatable, Sendable {
    public var interface: String
    public var address: IPv4CIDR
    public init(interface: String, address: IPv4CIDR) {
        self.interface = interface
        self.address = address
    }

    /// The interfaces edgectl itself makes (whose addresses are pod addresses, not the machine's network).
    public var isEdgectlDevice: Bool {
        interface == BridgePlan.bridgeName || interface == BridgePlan.vxlanName || interface.hasPrefix(BridgePlan.vethPrefix)
    }

    /// IPv4 addresses of this network namespace's interfaces (getifaddrs), loopback included.
    public static func list() -> [HostAddress] {
        var out: [HostAddress] = []
        var ifap: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&ifap) == 0, let first = ifap else { return [] }
        defer { freeifaddrs(ifap) }
        var p: UnsafeMutablePointer<ifaddrs>? = first
        while let cur = p {
            defer { p = cur.pointee.ifa_next }
            guard let sa = cur.pointee.ifa_addr, Int32(sa.pointee.sa_family) == AF_INET, let nm = cur.pointee.ifa_netmask else { continue }
            let addr = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            let mask = nm.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            let name = String(validatingCString: cur.pointee.ifa_name) ?? ""
            guard let cidr = IPv4CIDR(address: IPv4Address(addr), prefixLength: mask.nonzeroBitCount) else { continue }
            out.append(HostAddress(interface: name, address: cidr))
        }
        return out
    }
}

/// Refuses cluster ranges that collide: the pod and service ranges with each
/// other, or either with a network this machine is on (its pods could not
/// reach that network, nor it them). Loopback and edgectl's own devices do not count.
public enum NetworkOverlap {
    public static func problem(clusterCIDR: IPv4CIDR, serviceCIDR: IPv4CIDR, host: [HostAddress]) -> String? {
        if clusterCIDR.overlaps(serviceCIDR) {
            return "--cluster-cidr \(clusterCIDR) and --service-cidr \(serviceCIDR) overlap: pod and service addresses must come from separate ranges (defaults 10.42.0.0/16 and 10.43.0.0/16)"
        }
        for (flag, cidr, example) in [("--cluster-cidr", clusterCIDR, "10.42.0.0/16"), ("--service-cidr", serviceCIDR, "10.43.0.0/16")] {
            if let hit = hostOverlap(cidr, host) {
                return "\(flag) \(cidr) overlaps this machine's network \(hit.address.canonical) (\(hit.address.address) on \(hit.interface)): pods could not reach that network and it could not reach them; choose a range no interface here uses (e.g. \(flag) \(example), or another private range)"
            }
        }
        return nil
    }

    /// The first of the machine's addresses whose network overlaps `cidr`.
    public static func hostOverlap(_ cidr: IPv4CIDR, _ host: [HostAddress]) -> HostAddress? {
        host.first { !$0.address.address.isLoopback && !$0.isEdgectlDevice && $0.address.overlaps(cidr) }
    }
}
