import EdgeAPI

/// The pod addresses in a plugin's result: for 0.3.0 and later, the IPv4
/// addresses of the container interface (CNI_IFNAME inside the sandbox), or
/// every non-loopback IPv4 address when the result names no interfaces; for
/// 0.1/0.2 results, ip4.ip.
public enum CNIResult {
    public static func podIPs(_ result: JSON, interface: String) -> [IPv4Address] {
        if let ip4 = result[path: ["ip4", "ip"]]?.string, let cidr = IPv4CIDR(ip4) { return [cidr.address] }
        let interfaces = result["interfaces"]?.array ?? []
        var out: [IPv4Address] = []
        for entry in result["ips"]?.array ?? [] {
            guard let cidr = entry["address"]?.string.flatMap(IPv4CIDR.init), !cidr.address.isLoopback else { continue }
            if let i = entry["interface"]?.int, i >= 0, i < Int64(interfaces.count) {
                let iface = interfaces[Int(i)]
                guard iface["name"]?.string == interface, !(iface["sandbox"]?.string ?? "").isEmpty else { continue }
            }
            if !out.contains(cidr.address) { out.append(cidr.address) }
        }
        return out
    }
}
