import EdgeAPI

/// Where a kind keeps what its `scale` subresource shows (upstream's scale
/// REST for workloads; a custom resource's scale paths come from its
/// definition).
public struct ScaleSubresource: Sendable {
    public var specReplicasPath: [String]
    public var statusReplicasPath: [String]
    /// The status.selector string of the Scale (`app=web,tier in (a,b)`).
    public var selector: @Sendable (JSON) -> String

    public init(specReplicasPath: [String] = ["spec", "replicas"], statusReplicasPath: [String] = ["status", "replicas"],
                selector: @escaping @Sendable (JSON) -> String) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.selector = selector
    }

    /// Workloads whose spec.selector is a LabelSelector.
    public static let labelSelector = ScaleSubresource { obj in LabelSelectorFormat.string(obj[path: ["spec", "selector"]]) }
    /// ReplicationControllers, whose spec.selector is a plain label map.
    public static let mapSelector = ScaleSubresource { obj in LabelSelectorFormat.string(matchLabels: obj[path: ["spec", "selector"]]) }
}
