/// What image garbage collection must leave alone: the images pods name and the layers
/// that container instances on disk stack as their roots.
public struct ImagesInUse: Sendable, Equatable {
    /// Image references from pod specs and container instances ("busybox", "127.0.0.1:5000/app:1").
    public var references: Set<String>
    /// Unpacked layer directories under the overlay roots of container instances (running, or kept for restart and logs).
    public var layers: Set<String>

    public init(references: Set<String> = [], layers: Set<String> = []) {
        self.references = references
        self.layers = layers
    }
}
