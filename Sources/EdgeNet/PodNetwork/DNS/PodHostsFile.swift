import EdgeAPI

/// The /etc/hosts upstream's kubelet writes for a pod: localhost lines, the
/// pod's addresses with its hostname (and FQDN when it has a subdomain), then
/// hostAliases; hostNetwork pods get the node's own hosts file with the
/// aliases appended.
public enum PodHostsFile {
    public static func render(ips: [String], hostname: String, domain: String?, aliases: [JSON]) -> String {
        var out = "# Kubernetes-managed hosts file.\n"
        out += "127.0.0.1\tlocalhost\n"
        out += "::1\tlocalhost ip6-localhost ip6-loopback\n"
        out += "fe00::0\tip6-localnet\n"
        out += "fe00::0\tip6-mcastprefix\n"
        out += "fe00::1\tip6-allnodes\n"
        out += "fe00::2\tip6-allrouters\n"
        for ip in ips {
            if let domain, !domain.isEmpty { out += "\(ip)\t\(hostname).\(domain)\t\(hostname)\n" } else { out += "\(ip)\t\(hostname)\n" }
        }
        return out + aliasLines(aliases)
    }

    public static func renderHostNetwork(nodeHosts: String, aliases: [JSON]) -> String {
        "# Kubernetes-managed hosts file (host network).\n" + nodeHosts + aliasLines(aliases)
    }

    static func aliasLines(_ aliases: [JSON]) -> String {
        guard !aliases.isEmpty else { return "" }
        var out = "\n# Entries added by HostAliases.\n"
        for a in aliases {
            let ip = a["ip"]?.string ?? ""
            for h in (a["hostnames"]?.array ?? []).compactMap({ $0.string }) { out += "\(ip)\t\(h)\n" }
        }
        return out
    }
}
