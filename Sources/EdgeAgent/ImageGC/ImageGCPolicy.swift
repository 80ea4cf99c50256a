/// When the agent removes unused images, with kubelet's defaults: collection starts once the
/// image filesystem is 85% used and frees space down to 80%; images used within the last
/// 2 minutes stay. Percentages count bytes, as statvfs reports them.
public struct ImageGCPolicy: Sendable, Equatable {
    /// kubelet's imageGCHighThresholdPercent.
    public var highThresholdPercent = 85
    /// kubelet's imageGCLowThresholdPercent.
    public var lowThresholdPercent = 80
    /// kubelet's imageMinimumGCAge.
    public var minimumAge: Duration = .seconds(120)
    /// How often the filesystem is measured: one statvfs, so cheap enough for a board.
    public var checkInterval: Duration = .seconds(10)
    /// After a collection that could not free enough, the next waits this long (kubelet's
    /// image GC period), so a full disk of images in use does not rescan the store and
    /// repeat the warning every few seconds.
    public var retryAfterShortfall: Duration = .seconds(300)

    public init() {}

    /// Why the thresholds cannot work, in the flags' words; nil when they can.
    public var problem: String? {
        if !(0...100).contains(highThresholdPercent) {
            return "--image-gc-high-threshold must be a percentage from 0 to 100, got \(highThresholdPercent)"
        }
        if !(0...100).contains(lowThresholdPercent) {
            return "--image-gc-low-threshold must be a percentage from 0 to 100, got \(lowThresholdPercent)"
        }
        if lowThresholdPercent >= highThresholdPercent {
            return "--image-gc-low-threshold (\(lowThresholdPercent)) must be below --image-gc-high-threshold (\(highThresholdPercent)): "
                + "unused images are removed once disk usage reaches the high threshold, until it is back at the low one"
        }
        if minimumAge < .zero { return "--image-minimum-gc-age must not be negative" }
        return nil
    }

    /// Bytes to free so that usage comes down to the low threshold; zero below the high threshold.
    /// The same arithmetic as kubelet: usage is 100 - available*100/capacity, rounded down.
    public func bytesToFree(_ usage: FilesystemUsage) -> Int64 {
        guard usage.capacityBytes > 0, usage.usagePercent >= highThresholdPercent else { return 0 }
        return max(0, usage.capacityBytes * Int64(100 - lowThresholdPercent) / 100 - usage.availableBytes)
    }
}
