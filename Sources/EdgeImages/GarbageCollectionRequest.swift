#if canImport(Glibc)
import Glibc
#endif

/// What image garbage collection must keep and how much it should free.
public struct GarbageCollectionRequest: Sendable {
    /// References or ids of images that containers name (pod specs, instances on disk): never removed.
    public var imagesInUse: Set<String>
    /// Unpacked layer directories (as in StoredImage.layerPaths) that containers' overlay roots stack.
    /// These layers are never removed, even when the image that brought them is (a tag moved on
    /// while an old instance still runs), and an image made only of them counts as in use.
    public var layersInUse: Set<String>
    /// Removal stops once this much is freed.
    public var bytesToFree: Int64
    /// Images used (pulled, imported or looked up for a container) more recently than this are kept:
    /// a container may be about to start from them.
    public var minimumAgeNanoseconds: Int64
    /// Wall-clock now, nanoseconds since the epoch (image use times are file mtimes).
    public var nowNanoseconds: Int64

    public init(imagesInUse: Set<String>, layersInUse: Set<String> = [], bytesToFree: Int64, minimumAgeNanoseconds: Int64,
                nowNanoseconds: Int64? = nil) {
        self.imagesInUse = imagesInUse
        self.layersInUse = layersInUse
        self.bytesToFree = bytesToFree
        self.minimumAgeNanoseconds = minimumAgeNanoseconds
        self.nowNanoseconds = nowNanoseconds ?? Self.wallClockNanoseconds()
    }

    static func wallClockNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
