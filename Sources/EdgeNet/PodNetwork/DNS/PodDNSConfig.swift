import EdgeAPI

/// A pod's resolv.conf from its dnsPolicy and dnsConfig, as upstream's kubelet
/// composes it (pkg/kubelet/network/dns): ClusterFirst points at the cluster
/// DNS with the namespace's search domains before the node's and ndots:5;
/// Default copies the node's; None starts empty; ClusterFirst falls back to
/// Default for hostNetwork pods unless ClusterFirstWithHostNet; dnsConfig's
/// nameservers and searches are appended (duplicates dropped) and its options
/// override ones of the same name; then the limits apply (3 nameservers, 32
/// search domains of at most 253 characters, a 2048-character search line),
/// each cut reported as a DNSConfigForming warning.
public enum PodDNSConfig {
    public static let maxNameservers = 3
    public static let maxSearchPaths = 32
    public static let maxSearchLineCharacters = 2048
    public static let maxDomainLength = 253

    public struct Result: Equatable, Sendable {
        public var resolvConf: ResolvConf
        /// DNSConfigForming event messages.
        public var warnings: [String]
    }

    public static func compose(pod: JSON, cluster: ClusterDNS?, host: ResolvConf) -> Result {
        let policy = pod[path: ["spec", "dnsPolicy"]]?.string ?? "ClusterFirst"
        let hostNetwork = pod[path: ["spec", "hostNetwork"]]?.bool ?? false
        let namespace = pod[path: ["metadata", "namespace"]]?.string ?? "default"
        var warnings: [String] = []
        var conf = host
        let useCluster: Bool
        switch policy {
        case "None": conf = ResolvConf(); useCluster = false
        case "ClusterFirstWithHostNet": useCluster = true
        case "Default": useCluster = false
        default: useCluster = !hostNetwork  // ClusterFirst (and anything unknown, as upstream)
        }
        if useCluster {
            if let cluster {
                conf.nameservers = [cluster.server.description]
                if !cluster.domain.isEmpty {
                    conf.searches = unique(["\(namespace).svc.\(cluster.domain)", "svc.\(cluster.domain)", cluster.domain] + host.searches)
                }
                conf.options = ["ndots:5"]
            } else {
                warnings.append("kubelet does not have ClusterDNS IP configured and cannot create Pod using \"ClusterFirst\" policy. Falling back to \"Default\" policy.")
            }
        }
        if let dns = pod[path: ["spec", "dnsConfig"]] {
            conf.nameservers = unique(conf.nameservers + (dns["nameservers"]?.array ?? []).compactMap { $0.string })
            conf.searches = unique(conf.searches + (dns["searches"]?.array ?? []).compactMap { $0.string })
            conf.options = mergeOptions(conf.options, dns["options"]?.array ?? [])
        }
        if conf.nameservers.count > maxNameservers {
            conf.nameservers = Array(conf.nameservers.prefix(maxNameservers))
            warnings.append("Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: \(conf.nameservers.joined(separator: " "))")
        }
        var cut = false
        if conf.searches.count > maxSearchPaths { conf.searches = Array(conf.searches.prefix(maxSearchPaths)); cut = true }
        let fitting = conf.searches.filter { $0.utf8.count <= maxDomainLength }
        if fitting.count != conf.searches.count { cut = true }
        conf.searches = fitting
        while conf.searches.joined(separator: " ").utf8.count > maxSearchLineCharacters { conf.searches.removeLast(); cut = true }
        if cut {
            warnings.append("Search Line limits were exceeded, some search paths have been omitted, the applied search line is: \(conf.searches.joined(separator: " "))")
        }
        return Result(resolvConf: conf, warnings: warnings)
    }

    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// Options by name: the pod's replace the base's; order kept (base first, new names after).
    static func mergeOptions(_ base: [String], _ extra: [JSON]) -> [String] {
        var names: [String] = []
        var values: [String: String?] = [:]
        func put(_ name: String, _ value: String?) {
            if values[name] == nil { names.append(name) }
            values[name] = .some(value)
        }
        for o in base {
            if let i = o.firstIndex(of: ":") { put(String(o[..<i]), String(o[o.index(after: i)...])) } else { put(o, nil) }
        }
        for o in extra {
            guard let name = o["name"]?.string, !name.isEmpty else { continue }
            put(name, o["value"]?.string)
        }
        return names.map { n in
            if case .some(.some(let v)) = values[n], !v.isEmpty { return n + ":" + v }
            return n
        }
    }
}
