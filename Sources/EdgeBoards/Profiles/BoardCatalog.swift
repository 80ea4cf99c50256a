/// Every board profile edgectl knows: the `boards/` folder, embedded in the binary at build
/// time (scripts/gen-boards writes EmbeddedBoardProfiles.swift) so that a binary copied alone
/// onto a board still knows its board.
public struct BoardCatalog: Sendable {
    public let profiles: [BoardProfile]

    public init(profiles: [BoardProfile]) {
        self.profiles = profiles.sorted { $0.name < $1.name }
    }

    /// The embedded profiles. A profile that does not parse fails the build's tests
    /// (BoardCatalogTests), so this only throws for a binary built without them.
    public static func builtIn() throws -> BoardCatalog {
        try BoardCatalog(profiles: EmbeddedBoardProfiles.files.map { try BoardProfileParser.parse($0.text, source: "boards/" + $0.file) })
    }

    public func profile(named name: String) -> BoardProfile? {
        profiles.first { $0.name == name.lowercased() }
    }

    /// The generic profile for a machine of this architecture (GOARCH).
    public func generic(architecture: String) -> BoardProfile? {
        profile(named: "generic-" + (architecture == "arm" ? "armv7" : architecture))
    }

    /// The board whose model string is the longest prefix of `model` (/proc/device-tree/model,
    /// compared without case: kernels differ in spelling "ODROID" and "Odroid"); otherwise the
    /// generic profile of the architecture.
    public func detect(model: String?, architecture: String) -> BoardProfile? {
        if let model = model?.lowercased(), !model.isEmpty {
            var best: (profile: BoardProfile, length: Int)?
            for p in profiles {
                for m in p.models where model.hasPrefix(m.lowercased()) && m.count > (best?.length ?? 0) {
                    best = (p, m.count)
                }
            }
            if let best { return best.profile }
        }
        return generic(architecture: architecture)
    }
}
