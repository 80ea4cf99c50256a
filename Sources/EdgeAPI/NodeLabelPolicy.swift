
/// Which labels a node may set on its own Node, as upstream's NodeRestriction
/// and kubelet label rules: nothing under node-restriction.kubernetes.io/
/// (those are for admins to pin workloads to trusted nodes), and of the
/// kubernetes.io and k8s.io namespaces only the labels a kubelet sets itself
/// (hostname, os, arch, instance type, zone and region) and the
/// kubelet.kubernetes.io/ and node.kubernetes.io/ namespaces. Labels outside
/// those namespaces (board=rpi4, example.com/disk=ssd) are the node's to set.
public enum NodeLabelPolicy {
    public static let kubeletLabels: Set<String> = [
        "kubernetes.io/hostname", "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
        "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
        "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type",
    ]
    public static let kubeletNamespaces = ["kubelet.kubernetes.io", "node.kubernetes.io"]
    static let restrictedNamespace = "node-restriction.kubernetes.io"

    /// Keys added, removed or changed between two label maps.
    public static func modified(_ new: JSON?, _ old: JSON?) -> Set<String> {
        let a = new?.object ?? JSONObject(), b = old?.object ?? JSONObject()
        var keys = Set<String>()
        for (k, v) in a where b[k] != v { keys.insert(k) }
        for (k, v) in b where a[k] != v { keys.insert(k) }
        return keys
    }

    /// Those of `keys` a node may not set, sorted (upstream lists them in order).
    public static func forbidden(_ keys: Set<String>) -> [String] {
        keys.filter { key in
            let ns = namespace(of: key)
            if within(ns, restrictedNamespace) { return true }
            return (within(ns, "kubernetes.io") || within(ns, "k8s.io")) && !isKubeletLabel(key)
        }.sorted()
    }

    static func isKubeletLabel(_ key: String) -> Bool {
        if kubeletLabels.contains(key) { return true }
        let ns = namespace(of: key)
        return kubeletNamespaces.contains { within(ns, $0) }
    }

    /// The prefix before the first "/", "" for an unprefixed key.
    static func namespace(of key: String) -> String {
        guard let slash = key.firstIndex(of: "/") else { return "" }
        return String(key[..<slash])
    }

    /// `ns` is `domain` or a subdomain of it.
    static func within(_ ns: String, _ domain: String) -> Bool {
        ns == domain || ns.hasSuffix("." + domain)
    }
}
