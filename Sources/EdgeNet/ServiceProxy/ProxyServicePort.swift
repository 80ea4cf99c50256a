import EdgeAPI

/// One port of one Service, in the terms the proxy programs: where traffic
/// arrives (cluster IP, node port, external and load-balancer IPs) and how it
/// is spread (affinity, traffic policies).
struct ProxyServicePort: Equatable, Sendable {
    var namespace: String
    var name: String
    var portName: String
    /// iptables' protocol name: tcp, udp or sctp.
    var proto: String
    var port: Int
    var clusterIP: UInt32?
    var nodePort: Int?
    var externalIPs: [UInt32] = []
    var loadBalancerIPs: [UInt32] = []
    /// sessionAffinity ClientIP: how long a client sticks to its endpoint.
    var affinitySeconds: Int?
    var externalPolicyLocal = false
    var internalPolicyLocal = false

    /// `ns/name:port` as kube-proxy names a service port (`ns/name` for an unnamed one).
    var key: String { namespace + "/" + name + (portName.isEmpty ? "" : ":" + portName) }

    /// Reached from outside the cluster network: a node port, external or load-balancer IPs.
    var externallyAccessible: Bool { nodePort != nil || !externalIPs.isEmpty || !loadBalancerIPs.isEmpty }
    var usesClusterEndpoints: Bool { !internalPolicyLocal || (externallyAccessible && !externalPolicyLocal) }
    var usesLocalEndpoints: Bool { internalPolicyLocal || (externallyAccessible && externalPolicyLocal) }

    /// Label naming another proxy as the one to program a service (upstream's service-proxy-name).
    static let proxyNameLabel = "service.kubernetes.io/service-proxy-name"
    static let defaultAffinitySeconds = 10800

    /// The ports the proxy programs for a Service: none for ExternalName and
    /// headless services, or one that names another proxy (as kube-proxy skips them).
    static func ports(of svc: JSON) -> [ProxyServicePort] {
        let spec = svc["spec"] ?? [:]
        let type = spec["type"]?.string ?? "ClusterIP"
        guard type != "ExternalName", svc[path: ["metadata", "labels", proxyNameLabel]] == nil else { return [] }
        let cipText = spec["clusterIP"]?.string ?? ""
        guard let clusterIP = IPv4Text.parse(cipText) else { return [] } // "None", "" or not IPv4
        let ns = svc[path: ["metadata", "namespace"]]?.string ?? ""
        let name = svc[path: ["metadata", "name"]]?.string ?? ""
        let externalIPs = (spec["externalIPs"]?.array ?? []).compactMap { $0.string.flatMap(IPv4Text.parse) }
        var lbIPs: [UInt32] = []
        if type == "LoadBalancer" {
            for ing in svc[path: ["status", "loadBalancer", "ingress"]]?.array ?? [] where ing["ipMode"]?.string != "Proxy" {
                if let ip = ing["ip"]?.string.flatMap(IPv4Text.parse), !lbIPs.contains(ip) { lbIPs.append(ip) }
            }
        }
        var affinity: Int?
        if spec["sessionAffinity"]?.string == "ClientIP" {
            let t = spec[path: ["sessionAffinityConfig", "clientIP", "timeoutSeconds"]]?.int ?? Int64(defaultAffinitySeconds)
            affinity = (1...86400).contains(t) ? Int(t) : defaultAffinitySeconds
        }
        var out: [ProxyServicePort] = []
        for p in spec["ports"]?.array ?? [] {
            guard let port = p["port"]?.int, (1...65535).contains(port) else { continue }
            let proto = (p["protocol"]?.string ?? "TCP").lowercased()
            guard ["tcp", "udp", "sctp"].contains(proto) else { continue }
            var sp = ProxyServicePort(namespace: ns, name: name, portName: p["name"]?.string ?? "", proto: proto, port: Int(port),
                                      clusterIP: clusterIP)
            if type == "NodePort" || type == "LoadBalancer", let np = p["nodePort"]?.int, (1...65535).contains(np) { sp.nodePort = Int(np) }
            sp.externalIPs = externalIPs
            sp.loadBalancerIPs = lbIPs
            sp.affinitySeconds = affinity
            sp.externalPolicyLocal = spec["externalTrafficPolicy"]?.string == "Local" && sp.externallyAccessible
            sp.internalPolicyLocal = spec["internalTrafficPolicy"]?.string == "Local"
            out.append(sp)
        }
        return out
    }
}
