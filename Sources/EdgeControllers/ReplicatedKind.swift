import EdgeAPI

/// What the replica controller needs to know about the kind it manages:
/// ReplicaSets (apps/v1) and their predecessor, ReplicationControllers (core/v1),
/// differ only in where they live and in how their selector is written
/// (a LabelSelector, or a plain label map). Upstream runs the same manager
/// for both.
public struct ReplicatedKind: Sendable {
    public let resource: ResourceInfo
    /// The controller's name in the manager and its logs.
    public let controllerName: String
    /// The object's selector as a LabelSelector (matchLabels, matchExpressions).
    let selector: @Sendable (JSON) -> JSON?

    public static let replicaSets = ReplicatedKind(resource: BuiltinResources.replicaSets, controllerName: "replicaset") {
        $0[path: ["spec", "selector"]]
    }

    /// A ReplicationController's selector is a label map: the same as a LabelSelector's matchLabels.
    public static let replicationControllers = ReplicatedKind(resource: BuiltinResources.replicationControllers,
                                                              controllerName: "replicationcontroller") { rc in
        guard let labels = rc[path: ["spec", "selector"]], labels.object?.isEmpty == false else { return nil }
        return ["matchLabels": labels]
    }
}
