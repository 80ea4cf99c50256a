import EdgeAPI

/// The catalog at one version: its resources in discovery order, indexed for
/// routing (group/version/plural) and for owner references (apiVersion/kind).
public struct CatalogSnapshot: Sendable {
    public let version: UInt64
    /// In registration order: built-ins first, as discovery lists them.
    public let strategies: [any ResourceStrategy]
    private let byPath: [String: Int]
    private let byKind: [String: Int]

    init(version: UInt64, strategies: [any ResourceStrategy]) {
        self.version = version
        self.strategies = strategies
        var byPath: [String: Int] = [:]
        var byKind: [String: Int] = [:]
        for (i, s) in strategies.enumerated() {
            byPath[Self.key(s.resource)] = i
            byKind[s.resource.apiVersion + "\u{0}" + s.resource.kind] = i
        }
        self.byPath = byPath
        self.byKind = byKind
    }

    static func key(_ group: String, _ version: String, _ plural: String) -> String {
        group + "/" + version + "/" + plural
    }

    static func key(_ r: ResourceInfo) -> String { key(r.group, r.version, r.plural) }

    public var resources: [ResourceInfo] { strategies.map(\.resource) }

    public func strategy(group: String, version: String, plural: String) -> (any ResourceStrategy)? {
        byPath[Self.key(group, version, plural)].map { strategies[$0] }
    }

    public func resource(apiVersion: String, kind: String) -> ResourceInfo? {
        byKind[apiVersion + "\u{0}" + kind].map { strategies[$0].resource }
    }

    /// Group versions in discovery order: the core group first, then groups as first registered.
    public var groupVersions: [(group: String, version: String)] {
        var seen = Set<String>()
        var out: [(String, String)] = []
        for r in resources where seen.insert(r.apiVersion).inserted { out.append((r.group, r.version)) }
        return out.filter { $0.0.isEmpty } + out.filter { !$0.0.isEmpty }
    }

    public func resources(group: String, version: String) -> [ResourceInfo] {
        resources.filter { $0.group == group && $0.version == version }
    }

    public func strategies(group: String, version: String) -> [any ResourceStrategy] {
        strategies.filter { $0.resource.group == group && $0.resource.version == version }
    }
}
