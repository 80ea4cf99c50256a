import EdgeControllers

/// The metrics source until agents report usage: no samples, so autoscalers
/// say ScalingActive=False (FailedGetResourceMetric) instead of guessing.
struct NoPodMetrics: PodMetricsSource {
    func cpuUsage(namespace: String, pods: [String]) async throws -> [String: Int64] { [:] }
}
