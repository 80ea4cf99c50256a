/// Everything one service port contributes to the nftables table: its own
/// chains and affinity sets, and its elements in the shared dispatch maps.
struct NFTServiceObjects: Equatable, Sendable {
    struct Element: Hashable, Sendable {
        var map: String
        var key: String
        var value: String
    }

    var chains: [String: [String]] = [:]
    var sets: [String: String] = [:]
    var elements: [Element] = []
}
