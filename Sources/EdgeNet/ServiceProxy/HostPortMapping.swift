import EdgeAPI

/// A container port published on the node (`hostPort`), for a pod with its own network.
struct HostPortMapping: Hashable, Sendable, Comparable {
    var pod: String
    var podIP: UInt32
    /// nil: every local address (hostIP unset or 0.0.0.0).
    var hostIP: UInt32?
    var hostPort: Int
    var containerPort: Int
    var proto: String

    static func < (a: HostPortMapping, b: HostPortMapping) -> Bool {
        (a.hostPort, a.proto, a.hostIP ?? 0, a.pod) < (b.hostPort, b.proto, b.hostIP ?? 0, b.pod)
    }

    /// The hostPorts of a pod on this node that has an IP of its own (hostNetwork pods bind the node's ports themselves).
    static func mappings(of pod: JSON) -> [HostPortMapping] {
        guard pod[path: ["spec", "hostNetwork"]]?.bool != true,
              let ip = pod[path: ["status", "podIP"]]?.string.flatMap(IPv4Text.parse) else { return [] }
        let phase = pod[path: ["status", "phase"]]?.string ?? ""
        guard phase != "Succeeded" && phase != "Failed" else { return [] }
        let key = (pod[path: ["metadata", "namespace"]]?.string ?? "") + "/" + (pod[path: ["metadata", "name"]]?.string ?? "")
        var out: [HostPortMapping] = []
        for c in pod[path: ["spec", "containers"]]?.array ?? [] {
            for p in c["ports"]?.array ?? [] {
                guard let hp = p["hostPort"]?.int, (1...65535).contains(hp) else { continue }
                let cp = p["containerPort"]?.int ?? hp
                guard (1...65535).contains(cp) else { continue }
                let proto = (p["protocol"]?.string ?? "TCP").lowercased()
                guard ["tcp", "udp", "sctp"].contains(proto) else { continue }
                let hostIP = p["hostIP"]?.string.flatMap(IPv4Text.parse).flatMap { $0 == 0 ? nil : $0 }
                out.append(HostPortMapping(pod: key, podIP: ip, hostIP: hostIP, hostPort: Int(hp), containerPort: Int(cp), proto: proto))
            }
        }
        return out
    }

    /// Hairpin masquerade (the pod reaching its own host port), then the DNAT.
    var rules: [String] {
        let dst = hostIP.map { "-d \(IPv4Text.format($0))/32 " } ?? ""
        let match = "\(dst)-p \(proto) -m \(proto) --dport \(hostPort) -m comment --comment \"\(ProxyChains.comment(pod)) hostport \(hostPort)\""
        return ["\(match) -s \(IPv4Text.format(podIP))/32 -j \(ProxyChains.markMasq)",
                "\(match) -j DNAT --to-destination \(IPv4Text.format(podIP)):\(containerPort)"]
    }
}
