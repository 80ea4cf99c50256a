import EdgeAPI

/// The Docker-links style variables upstream's kubelet gives every container
/// for the services it may reach: the `kubernetes` service of the default
/// namespace always (KUBERNETES_SERVICE_HOST/PORT, which in-cluster clients
/// read), and each service of the pod's namespace unless the pod sets
/// `enableServiceLinks: false`. Services without a cluster IP give none.
enum ServiceEnvironment {
    static func variables(pod: JSON, namespaceServices: [JSON], masterService: JSON?) -> [(String, String)] {
        var byName: [String: JSON] = [:]
        if pod[path: ["spec", "enableServiceLinks"]]?.bool != false {
            for s in namespaceServices { if let n = s[path: ["metadata", "name"]]?.string { byName[n] = s } }
        }
        // The master service wins its name, as upstream (the pod's own namespace may hold a `kubernetes` service too).
        if let m = masterService { byName["kubernetes"] = m }
        var out: [(String, String)] = []
        for name in byName.keys.sorted() {
            out += variables(for: byName[name]!, name: name)
        }
        return out
    }

    static func variables(for service: JSON, name: String) -> [(String, String)] {
        guard let ip = service[path: ["spec", "clusterIP"]]?.string, !ip.isEmpty, ip != "None" else { return [] }
        let ports = service[path: ["spec", "ports"]]?.array ?? []
        guard let first = ports.first else { return [] }
        let prefix = String(name.uppercased().map { $0 == "-" ? "_" : $0 })
        let host = ip.contains(":") ? "[\(ip)]" : ip
        func port(_ p: JSON) -> String { String(p["port"]?.int ?? 0) }
        func proto(_ p: JSON) -> String { p["protocol"]?.string ?? "TCP" }
        var out: [(String, String)] = [("\(prefix)_SERVICE_HOST", ip), ("\(prefix)_SERVICE_PORT", port(first))]
        for p in ports {
            if let n = p["name"]?.string, !n.isEmpty {
                out.append(("\(prefix)_SERVICE_PORT_\(String(n.uppercased().map { $0 == "-" ? "_" : $0 }))", port(p)))
            }
        }
        out.append(("\(prefix)_PORT", "\(proto(first).lowercased())://\(host):\(port(first))"))
        for p in ports {
            let base = "\(prefix)_PORT_\(port(p))_\(proto(p).uppercased())"
            out += [(base, "\(proto(p).lowercased())://\(host):\(port(p))"), (base + "_PROTO", proto(p).lowercased()),
                    (base + "_PORT", port(p)), (base + "_ADDR", ip)]
        }
        return out
    }
}
