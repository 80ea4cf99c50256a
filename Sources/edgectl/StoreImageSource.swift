import EdgeAPI
import EdgeAgent
import EdgeImages

/// The node's image store as the pod agent's image source.
struct StoreImageSource: ImageSource {
    let store: ImageStore

    func present(_ reference: String) -> PodImage? { store.image(reference).map { Self.podImage($0, reference) } }

    func pull(_ reference: String, credentials: [RegistryCredential]) async throws -> PodImage {
        Self.podImage(try await store.pull(reference, credentials: credentials), reference)
    }

    func offeredPlatforms() -> [String: [ImagePlatform]] {
        var out: [String: [ImagePlatform]] = [:]
        for image in store.list() where !image.offeredPlatforms.isEmpty {
            for reference in image.references { out[reference] = image.offeredPlatforms }
        }
        return out
    }

    static func podImage(_ i: StoredImage, _ reference: String) -> PodImage {
        PodImage(id: imageID(i, reference), reference: reference, entrypoint: i.config.entrypoint, cmd: i.config.cmd, env: i.config.env,
                 workingDir: i.config.workingDir, user: i.config.user, layers: i.layerPaths)
    }

    /// repository@manifest-digest as upstream reports imageID, else the config digest.
    static func imageID(_ i: StoredImage, _ reference: String) -> String {
        guard let digest = i.manifestDigest else { return i.id }
        var repo = ImageStore.normalize(reference)
        if let at = repo.firstIndex(of: "@") { repo = String(repo[..<at]) }
        if let colon = repo.lastIndex(of: ":"), !repo[colon...].contains("/") { repo = String(repo[..<colon]) }
        return repo + "@" + digest
    }
}
