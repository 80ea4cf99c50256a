/// How an image GC outcome is told: a line for the agent's log and, when something is wrong,
/// an event on the Node with kubelet's reason, so `kubectl describe node` shows it.
struct ImageGCReport: Equatable {
    var logLine: String
    /// Warning events only: kubelet records none for a collection that freed enough.
    var eventReason: String?
    var eventMessage: String?

    /// nil for outcomes worth no word (usage below the high threshold).
    init?(_ outcome: ImageGCOutcome, policy: ImageGCPolicy) {
        switch outcome {
        case .belowThreshold:
            return nil
        case let .freed(usage, needed, removal):
            logLine = "image filesystem \(usage)% used (high threshold \(policy.highThresholdPercent)%): "
                + "removed \(Self.images(removal)), freeing \(Self.size(removal.freedBytes)) "
                + "(\(Self.size(needed)) to come down to \(policy.lowThresholdPercent)%)"
        case let .shortfall(usage, needed, removal):
            // kubelet's wording first, for anyone matching on it; then what to do.
            let message = "Failed to garbage collect required amount of images. Attempted to free \(needed) bytes, "
                + "but only found \(removal.freedBytes) bytes eligible to free. The other images are used by this node's pods "
                + "or were used in the last \(policy.minimumAge.components.seconds)s: delete pods or images, or add disk space."
            logLine = "image filesystem \(usage)% used (high threshold \(policy.highThresholdPercent)%): "
                + "removed \(Self.images(removal)), freeing \(Self.size(removal.freedBytes)) of the \(Self.size(needed)) needed; " + message
            eventReason = "FreeDiskSpaceFailed"
            eventMessage = message
        case let .failed(error):
            logLine = "image garbage collection failed: \(error)"
            eventReason = "ImageGCFailed"
            eventMessage = error
        }
    }

    static func images(_ removal: ImageRemoval) -> String {
        switch removal.removedImages.count {
        case 0: return "no image"
        case 1: return "1 unused image (\(removal.removedImages[0]))"
        default: return "\(removal.removedImages.count) unused images (\(removal.removedImages.joined(separator: ", ")))"
        }
    }

    /// Mebibytes with one decimal, as small boards' disks are counted.
    static func size(_ bytes: Int64) -> String {
        let tenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(tenths / 10).\(tenths % 10) MiB"
    }
}
