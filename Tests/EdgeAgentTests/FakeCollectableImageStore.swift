import Synchronization
@testable import EdgeAgent

/// An image store for image GC tests: a filesystem whose free space grows by what removal frees,
/// and images listed least recently used first, each with its size and how long ago it was used.
final class FakeCollectableImageStore: CollectableImageStore {
    struct Image { var name: String; var bytes: Int64; var usedAgo: Duration }
    struct Request: Equatable { var keeping: ImagesInUse; var bytesToFree: Int64; var minimumAge: Duration }
    struct State {
        var usage: FilesystemUsage
        var images: [Image]
        var requests: [Request] = []
        var measureError: String?
    }
    let state: Mutex<State>

    init(capacity: Int64, available: Int64, images: [Image]) {
        state = Mutex(State(usage: FilesystemUsage(capacityBytes: capacity, availableBytes: available), images: images))
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    func imageFilesystemUsage() throws -> FilesystemUsage {
        try state.withLock {
            if let e = $0.measureError { throw Failure(description: e) }
            return $0.usage
        }
    }

    func removeUnusedImages(keeping: ImagesInUse, bytesToFree: Int64, minimumAge: Duration) throws -> ImageRemoval {
        state.withLock { s in
            s.requests.append(Request(keeping: keeping, bytesToFree: bytesToFree, minimumAge: minimumAge))
            var removal = ImageRemoval(freedBytes: 0, removedImages: [])
            s.images.removeAll { image in
                guard removal.freedBytes < bytesToFree, !keeping.references.contains(image.name), image.usedAgo >= minimumAge else { return false }
                removal.freedBytes += image.bytes
                removal.removedImages.append(image.name)
                return true
            }
            s.usage.availableBytes += removal.freedBytes
            return removal
        }
    }

    var requests: [Request] { state.withLock { $0.requests } }
    var remaining: [String] { state.withLock { $0.images.map(\.name) } }
    func set(available: Int64) { state.withLock { $0.usage.availableBytes = available } }
}
