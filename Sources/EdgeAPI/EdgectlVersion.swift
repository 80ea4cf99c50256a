/// An edgectl build version (MAJOR.MINOR.PATCH), and how a node reports it: as semver build
/// metadata of its kubelet version, `v1.37.0+edgectl-0.2.0`.
public struct EdgectlVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init?(_ text: String) {
        let core = text.split(separator: "-", maxSplits: 1).first.map(String.init) ?? text
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isNumber) }),
              let a = Int(parts[0]), let b = Int(parts[1]), let c = Int(parts[2]) else { return nil }
        (major, minor, patch) = (a, b, c)
    }

    /// The edgectl build inside a Node's kubeletVersion; nil for other kubelets.
    public init?(kubeletVersion: String) {
        guard let plus = kubeletVersion.firstIndex(of: "+") else { return nil }
        let meta = kubeletVersion[kubeletVersion.index(after: plus)...]
        guard meta.hasPrefix("edgectl-") else { return nil }
        self.init(String(meta.dropFirst("edgectl-".count)))
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (a: EdgectlVersion, b: EdgectlVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    /// The skew policy: an agent may be older than its server, or at most one minor version newer.
    public func agentTooNew(for server: EdgectlVersion) -> Bool {
        major > server.major || (major == server.major && minor > server.minor + 1)
    }
}
