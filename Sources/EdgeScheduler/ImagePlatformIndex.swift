import EdgeAPI

/// Which platforms each image offers, learned from the nodes that hold it (each node
/// publishes its images in the edgectl.io/image-platforms annotation, NodeImagePlatforms).
/// Shared by every node: once one node has pulled or imported an image, the scheduler
/// knows where else it can run. An image offers the union of what the nodes report, so
/// a node can only ever add platforms (placing pods where they then fail to pull, as
/// without this index), never keep pods away from other nodes.
struct ImagePlatformIndex: Sendable {
    /// node -> image -> platforms, as last published.
    private var byNode: [String: [String: [ImagePlatform]]] = [:]
    /// image -> platform -> how many nodes report it.
    private var union: [String: [ImagePlatform: Int]] = [:]

    mutating func update(node: String, images: [String: [ImagePlatform]]) {
        if byNode[node] == images { return }
        remove(node: node)
        guard !images.isEmpty else { return }
        byNode[node] = images
        for (image, platforms) in images {
            for p in Set(platforms) { union[image, default: [:]][p, default: 0] += 1 }
        }
    }

    mutating func remove(node: String) {
        guard let old = byNode.removeValue(forKey: node) else { return }
        for (image, platforms) in old {
            for p in Set(platforms) {
                union[image]?[p]? -= 1
                if union[image]?[p] == 0 { union[image]?[p] = nil }
            }
            if union[image]?.isEmpty == true { union[image] = nil }
        }
    }

    /// The platforms `image` (normalized) is known to offer, sorted; nil when no node holds it.
    func platforms(of image: String) -> [ImagePlatform]? {
        guard let counts = union[image], !counts.isEmpty else { return nil }
        return counts.keys.sorted { $0.description < $1.description }
    }
}
