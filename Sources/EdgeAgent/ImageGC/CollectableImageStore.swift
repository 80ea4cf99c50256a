/// The node's image store as image garbage collection sees it (the real store, or a fake in tests).
public protocol CollectableImageStore: Sendable {
    /// Size and free space of the filesystem the images are on.
    func imageFilesystemUsage() throws -> FilesystemUsage
    /// Removes images `keeping` does not protect and not used within `minimumAge`, least recently
    /// used first, until `bytesToFree` are freed or none is left to remove. Blocking file work.
    func removeUnusedImages(keeping: ImagesInUse, bytesToFree: Int64, minimumAge: Duration) throws -> ImageRemoval
}
