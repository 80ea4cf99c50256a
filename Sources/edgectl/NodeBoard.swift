import EdgeBoards

/// The board the agent runs on and the labels it gives its Node: `edgectl.io/board` and the
/// well-known `node.kubernetes.io/instance-type` (the board is the instance type of an edge node).
struct NodeBoard {
    var profile: BoardProfile?
    var labels: [String: String]

    static let boardLabel = "edgectl.io/board"
    static let instanceTypeLabel = "node.kubernetes.io/instance-type"

    static func detect(_ host: HostRoot) -> NodeBoard {
        guard let catalog = try? BoardCatalog.builtIn(),
              let p = BoardDetector.detect(host, catalog: catalog, architecture: BuildInfo.arch) else {
            return NodeBoard(profile: nil, labels: [:])
        }
        return NodeBoard(profile: p, labels: [boardLabel: p.name, instanceTypeLabel: p.name])
    }
}
