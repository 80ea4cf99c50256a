import EdgeAPI

/// A pod's hostname and domain as upstream's kubelet derives them: spec.hostname,
/// else the pod's name cut to 63 characters without a trailing '-' or '.'; the
/// domain `<subdomain>.<namespace>.svc.<cluster domain>` when spec.subdomain is set.
public enum PodHostname {
    public static func hostname(_ pod: JSON) -> String {
        if let h = pod[path: ["spec", "hostname"]]?.string, !h.isEmpty { return h }
        var name = Substring(pod[path: ["metadata", "name"]]?.string ?? "")
        if name.count > 63 {
            name = name.prefix(63)
            while let c = name.last, c == "-" || c == "." { name.removeLast() }
        }
        return String(name)
    }

    public static func domain(_ pod: JSON, clusterDomain: String) -> String? {
        guard let sub = pod[path: ["spec", "subdomain"]]?.string, !sub.isEmpty else { return nil }
        let ns = pod[path: ["metadata", "namespace"]]?.string ?? "default"
        return "\(sub).\(ns).svc.\(clusterDomain)"
    }
}
