/// Where the autoscaler reads pod CPU usage from. The agent's metrics feed it
/// in a real cluster; tests pass a fake.
public protocol PodMetricsSource: Sendable {
    /// Current CPU usage in millicores for pods of a namespace, by pod name.
    /// Pods without a sample are absent.
    func cpuUsage(namespace: String, pods: [String]) async throws -> [String: Int64]
}
