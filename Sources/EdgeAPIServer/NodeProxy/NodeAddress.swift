import EdgeAPI

/// Where a node's agent API listens, from its status: the InternalIP (then
/// other addresses) and daemonEndpoints.kubeletEndpoint.Port (10250 if unset).
struct NodeAddress: Equatable {
    var host: String
    var port: Int

    static let preference = ["InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS", "Hostname"]

    init?(node: JSON) {
        let addresses = node[path: ["status", "addresses"]]?.array ?? []
        var found: String?
        for type in Self.preference {
            if let a = addresses.first(where: { $0["type"]?.string == type })?["address"]?.string, !a.isEmpty { found = a; break }
        }
        guard let found else { return nil }
        host = found
        let p = node[path: ["status", "daemonEndpoints", "kubeletEndpoint", "Port"]]?.int ?? 0
        port = p > 0 && p < 65536 ? Int(p) : 10250
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// For a Host header and messages: IPv6 in brackets.
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
