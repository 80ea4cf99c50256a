/// Upstream's `+listType`, `+listMapKey`, `+structType` and `+mapType` markers
/// on built-in types where they say more than the strategic merge metadata
/// (message "." field in the wire schema's names).
enum BuiltinApplyMarkers {
    static let core = "k8s.io.api.core.v1."
    static let meta = "k8s.io.apimachinery.pkg.apis.meta.v1."

    /// Lists whose list type is not what their patch strategy suggests.
    static let lists: [String: ListType] = [
        core + "Container.ports": .map(keys: ["containerPort", "protocol"]),
        core + "EphemeralContainerCommon.ports": .map(keys: ["containerPort", "protocol"]),
        core + "ServiceSpec.ports": .map(keys: ["port", "protocol"]),
        core + "PodSpec.topologySpreadConstraints": .map(keys: ["topologyKey", "whenUnsatisfiable"]),
        core + "PodSpec.tolerations": .atomic,
        meta + "ObjectMeta.finalizers": .set,
        meta + "ObjectMeta.ownerReferences": .map(keys: ["uid"]),
    ]

    /// Structs replaced as a whole (`+structType=atomic`).
    static let atomicStructs: Set<String> = [
        meta + "LabelSelector", core + "NodeSelector", core + "NodeSelectorTerm", core + "ObjectReference",
        core + "LocalObjectReference", core + "TypedLocalObjectReference", core + "ConfigMapKeySelector",
        core + "SecretKeySelector", core + "ObjectFieldSelector", core + "ResourceFieldSelector",
        core + "TopologySelectorTerm",
    ]

    /// Maps replaced as a whole (`+mapType=atomic`), by owning message "." field.
    static let atomicMaps: Set<String> = [
        core + "PodSpec.nodeSelector", core + "ServiceSpec.selector", core + "ReplicationControllerSpec.selector",
    ]
}
