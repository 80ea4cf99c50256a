/// Every container a pod spec names: init containers, app containers and ephemeral
/// containers, in that order (what a node pulls for, mounts for and must keep images of).
public enum PodContainers {
    public static let fields = ["initContainers", "containers", "ephemeralContainers"]

    public static func all(of pod: JSON) -> [JSON] {
        fields.flatMap { pod[path: ["spec", $0]]?.array ?? [] }
    }
}
