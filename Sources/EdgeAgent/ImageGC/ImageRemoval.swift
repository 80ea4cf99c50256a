/// What one image garbage collection removed.
public struct ImageRemoval: Sendable, Equatable {
    public var freedBytes: Int64
    /// Removed images, least recently used first, each by its first reference or its id.
    public var removedImages: [String]

    public init(freedBytes: Int64, removedImages: [String]) {
        self.freedBytes = freedBytes
        self.removedImages = removedImages
    }
}
