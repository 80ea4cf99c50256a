import EdgeAPI

/// What the store remembers about one image (<store>/images/<id hex>.json).
/// The file's mtime is the image's last use, so marking use never rewrites it.
struct ImageRecord: Sendable {
    var id: String
    var references: [String]
    var manifestDigest: String?
    var diffIDs: [String]
    var config: ImageConfig
    var platform: ImagePlatform
    /// What the index it came from offered (StoredImage.offeredPlatforms).
    var offeredPlatforms: [ImagePlatform] = []

    var json: JSON {
        .obj([
            "id": .string(id),
            "references": .array(references.map { .string($0) }),
            "manifestDigest": manifestDigest.map { .string($0) } ?? .null,
            "diffIDs": .array(diffIDs.map { .string($0) }),
            "config": config.json,
            "platform": .string(platform.description),
            "offeredPlatforms": .array(offeredPlatforms.map { .string($0.description) }),
        ])
    }

    init(id: String, references: [String], manifestDigest: String?, diffIDs: [String], config: ImageConfig, platform: ImagePlatform) {
        self.id = id
        self.references = references
        self.manifestDigest = manifestDigest
        self.diffIDs = diffIDs
        self.config = config
        self.platform = platform
    }

    init(json: JSON) throws {
        guard let id = json["id"]?.string, Digest.isValid(id) else { throw ImageError("image record without a valid id") }
        self.id = id
        references = json["references"]?.array?.compactMap(\.string) ?? []
        manifestDigest = json["manifestDigest"]?.string
        diffIDs = json["diffIDs"]?.array?.compactMap(\.string) ?? []
        config = ImageConfig(imageConfig: json["config"])
        platform = ImagePlatform.parse(json["platform"]?.string ?? "") ?? ImagePlatform(os: "", architecture: "")
        offeredPlatforms = (json["offeredPlatforms"]?.array ?? []).compactMap { $0.string.flatMap(ImagePlatform.parse) }
    }
}
