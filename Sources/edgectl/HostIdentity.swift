#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names and addresses of this machine, for certificate SANs and node addresses.
enum HostIdentity {
    static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        return String(cString: buf).lowercased()
    }

    /// IPv4 and IPv6 addresses of up interfaces (loopback included), link-local excluded.
    static func addresses() -> [String] {
        var out: [String] = []
        var ifap: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&ifap) == 0, let first = ifap else { return ["127.0.0.1"] }
        defer { freeifaddrs(ifap) }
        var p: UnsafeMutablePointer<ifaddrs>? = first
        while let cur = p {
            defer { p = cur.pointee.ifa_next }
            guard let sa = cur.pointee.ifa_addr, (cur.pointee.ifa_flags & UInt32(IFF_UP)) != 0 else { continue }
            // The pod network's own devices (edge0, edge.1) hold pod addresses, never the node's.
            let name = String(validatingCString: cur.pointee.ifa_name) ?? ""
            if name == "edge0" || name == "edge.1" || name.hasPrefix("edgev") { continue }
            let family = Int32(sa.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let len = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(sa, len, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let s = String(cString: host)
            if s.hasPrefix("fe80") || s.contains("%") { continue }
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    /// The first non-loopback IPv4 address, the node's InternalIP by default.
    static func primaryIPv4() -> String? {
        addresses().first { !$0.contains(":") && !$0.hasPrefix("127.") }
    }
}
