import EdgeCommandLine
import EdgeAgent

/// Image garbage collection flags, kubelet's settings under edgectl's flag names; shared by
/// `server` (its local agent), `agent` and `join`.
struct ImageGCOptions: ParsableArguments {
    @Option(help: "Percent of the image filesystem in use at which unused images are removed (kubelet's imageGCHighThresholdPercent).")
    var imageGcHighThreshold: Int = 85

    @Option(help: "Percent in use that removing unused images brings the image filesystem down to (kubelet's imageGCLowThresholdPercent).")
    var imageGcLowThreshold: Int = 80

    @Option(help: "Images used more recently than this are never removed: 2m, 90s, 1h (kubelet's imageMinimumGCAge).")
    var imageMinimumGcAge: String = "2m"

    func validate() throws {
        guard DurationFlag.seconds(imageMinimumGcAge) != nil else {
            throw ValidationError("--image-minimum-gc-age must be a duration such as 2m, 90s or 1h30m, got \(imageMinimumGcAge)")
        }
        if let problem = policy.problem { throw ValidationError(problem) }
    }

    var policy: ImageGCPolicy {
        var p = ImageGCPolicy()
        p.highThresholdPercent = imageGcHighThreshold
        p.lowThresholdPercent = imageGcLowThreshold
        p.minimumAge = .seconds(DurationFlag.seconds(imageMinimumGcAge) ?? 120)
        return p
    }
}
