import EdgeAPI

/// An image in the node's store, ready to run: its layers are unpacked directories.
public struct StoredImage: Sendable, Equatable {
    /// Normalized references ("docker.io/library/busybox:latest"); empty for an untagged image.
    public var references: [String]
    /// "sha256:<config digest>".
    public var id: String
    public var config: ImageConfig
    /// Absolute directories of the unpacked layers, lowest first.
    public var layerPaths: [String]
    /// Bytes the image's layers occupy on disk (layers shared with other images count in each).
    public var size: Int64
    /// Digest of the registry manifest it came from ("sha256:..."), nil for docker-archive imports.
    public var manifestDigest: String?
    /// The platform the image was built for.
    public var platform: ImagePlatform
    /// Every platform its references offer: the entries of the index it was pulled or
    /// imported from, or its own platform when it came without an index (empty when
    /// not known: records from before this was kept). Nodes report these to the scheduler.
    public var offeredPlatforms: [ImagePlatform] = []
    /// Last pull, import or lookup, nanoseconds since the epoch (garbage collection removes the oldest first).
    public var lastUsedNanoseconds: Int64

    /// overlayfs wants the uppermost layer first in lowerdir=.
    public var overlayLowerDirs: String { layerPaths.reversed().joined(separator: ":") }

    /// The first 12 hex digits of the id, as `crictl images` shows it.
    public var shortID: String { String(id.dropFirst("sha256:".count).prefix(12)) }
}
