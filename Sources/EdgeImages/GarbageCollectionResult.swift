/// What one garbage collection removed.
public struct GarbageCollectionResult: Sendable, Equatable {
    /// Bytes the removed images' configs, manifests and no longer shared layers occupied.
    public var freedBytes: Int64
    /// The removed images, least recently used first, each named by its first reference or its id.
    public var removedImages: [String]

    public init(freedBytes: Int64, removedImages: [String]) {
        self.freedBytes = freedBytes
        self.removedImages = removedImages
    }
}
