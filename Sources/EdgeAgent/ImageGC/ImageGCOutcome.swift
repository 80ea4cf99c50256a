/// What one look at the image filesystem led to.
public enum ImageGCOutcome: Sendable, Equatable {
    /// Usage is below the high threshold: nothing to do.
    case belowThreshold(usagePercent: Int)
    /// Images were removed and enough was freed to come down to the low threshold.
    case freed(usagePercent: Int, bytesToFree: Int64, removal: ImageRemoval)
    /// Every image that may go went, and it was not enough (kubelet's FreeDiskSpaceFailed).
    case shortfall(usagePercent: Int, bytesToFree: Int64, removal: ImageRemoval)
    /// The filesystem could not be measured or an image not removed (kubelet's ImageGCFailed).
    case failed(String)
}
