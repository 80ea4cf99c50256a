import EdgeAPI

/// One backend of a service port, from an EndpointSlice.
struct ProxyEndpoint: Hashable, Sendable, Comparable {
    var ip: UInt32
    var port: Int
    var ready: Bool
    var serving: Bool
    var terminating: Bool
    /// On this node (the slice's nodeName is ours).
    var local: Bool

    var address: String { IPv4Text.format(ip) + ":\(port)" }

    static func < (a: ProxyEndpoint, b: ProxyEndpoint) -> Bool { (a.ip, a.port) < (b.ip, b.port) }

    /// The endpoints of `port` listed by a service's slices: the slice port
    /// with the same name and protocol gives the target port; each endpoint's
    /// first address is used (as kube-proxy). An address listed twice keeps
    /// its most usable state.
    static func endpoints(for port: ProxyServicePort, slices: [JSON], nodeName: String) -> [ProxyEndpoint] {
        var byAddress: [String: ProxyEndpoint] = [:]
        for slice in slices where (slice["addressType"]?.string ?? "IPv4") == "IPv4" {
            guard let target = (slice["ports"]?.array ?? []).first(where: {
                ($0["name"]?.string ?? "") == port.portName && ($0["protocol"]?.string ?? "TCP").lowercased() == port.proto
            }), let tp = target["port"]?.int, (1...65535).contains(tp) else { continue }
            for e in slice["endpoints"]?.array ?? [] {
                guard let text = e["addresses"]?.array?.first?.string, let ip = IPv4Text.parse(text) else { continue }
                let c = e["conditions"] ?? [:]
                // Unset conditions read as upstream defines them: ready and serving true, terminating false.
                let ready = c["ready"]?.bool ?? true
                let ep = ProxyEndpoint(ip: ip, port: Int(tp), ready: ready, serving: c["serving"]?.bool ?? ready,
                                       terminating: c["terminating"]?.bool ?? false,
                                       local: !nodeName.isEmpty && e["nodeName"]?.string == nodeName)
                if let old = byAddress[ep.address], old.ready || !ep.ready { continue }
                byAddress[ep.address] = ep
            }
        }
        return byAddress.values.sorted()
    }
}
