import EdgeAgent
import EdgeImages

/// The node's image store as image garbage collection's store.
extension StoreImageSource: CollectableImageStore {
    func imageFilesystemUsage() throws -> FilesystemUsage { try FilesystemUsage.measure(store.root) }

    func removeUnusedImages(keeping inUse: ImagesInUse, bytesToFree: Int64, minimumAge: Duration) throws -> ImageRemoval {
        let age = minimumAge.components
        let result = try store.collectGarbage(GarbageCollectionRequest(
            imagesInUse: inUse.references, layersInUse: inUse.layers, bytesToFree: bytesToFree,
            minimumAgeNanoseconds: age.seconds * 1_000_000_000 + age.attoseconds / 1_000_000_000))
        return ImageRemoval(freedBytes: result.freedBytes, removedImages: result.removedImages)
    }
}
