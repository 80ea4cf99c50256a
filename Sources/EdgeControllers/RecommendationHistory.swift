import Synchronization

/// Per-HPA replica recommendations over time, for upstream's scale-down
/// stabilization: the result is the highest recommendation within the window,
/// so a brief dip never shrinks a workload that will be needed again.
final class RecommendationHistory: Sendable {
    private let samples = Mutex<[String: [(at: Int64, replicas: Int)]]>([:])

    func record(_ key: String, _ replicas: Int, at now: Int64, window: Int64) -> Int {
        samples.withLock { all in
            var list = (all[key] ?? []).filter { now - $0.at < max(window, 0) }
            list.append((now, replicas))
            all[key] = list
            return list.map(\.replicas).max() ?? replicas
        }
    }

    func forget(_ key: String) { samples.withLock { _ = $0.removeValue(forKey: key) } }
}
