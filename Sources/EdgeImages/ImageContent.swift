import EdgeAPI

/// A fetched or imported image that is ready to be stored: its config and
/// manifest bytes, and where each layer blob is (nil when that layer is already unpacked).
struct ImageContent {
    struct Layer {
        var blobPath: String?
        var blobDigest: String?
    }

    var configBytes: [UInt8]
    var configDigest: String
    var manifestBytes: [UInt8]?
    var manifestDigest: String?
    var layers: [Layer]
    var references: [String]
    /// Every platform the source offers under these references (an index's entries);
    /// empty when it had no index (the image's own platform is then all there is).
    var offeredPlatforms: [ImagePlatform] = []
}
