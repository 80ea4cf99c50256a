import EdgeAPI

/// The Pod Security Standards' levels, as a namespace's
/// `pod-security.kubernetes.io/{enforce,audit,warn}` labels name them.
public enum PodSecurityLevel: String, Sendable, Comparable {
    case privileged, baseline, restricted

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    var rank: Int { self == .privileged ? 0 : self == .baseline ? 1 : 2 }

    /// A namespace's level for `mode` (enforce, audit, warn) and the version label beside it ("latest" when unset).
    /// An unknown level is the strictest, as upstream evaluates one.
    static func of(_ namespace: JSON?, mode: String) -> (level: PodSecurityLevel, version: String) {
        let labels = namespace?[path: ["metadata", "labels"]]
        let prefix = "pod-security.kubernetes.io/" + mode
        guard let value = labels?[prefix]?.string else { return (.privileged, "latest") }
        let version = labels?[prefix + "-version"]?.string ?? "latest"
        return (PodSecurityLevel(rawValue: value) ?? .restricted, version)
    }
}
