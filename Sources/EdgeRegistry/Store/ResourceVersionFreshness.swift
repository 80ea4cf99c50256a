import EdgeAPI
import EdgeStore

/// A read at a resourceVersion the store has not reached yet: upstream's watch
/// cache waits up to 3 s for it (blockTimeout), then answers 504 "Too large
/// resource version" with a ResourceVersionTooLarge cause and a retry after 1 s.
enum ResourceVersionFreshness {
    /// upstream's resourceVersionTooHighRetrySeconds
    static let retryAfterSeconds = 1

    /// Returns once the store is at `revision` or later; throws upstream's 504 after `timeout`.
    static func wait(for revision: UInt64, in backend: any Backend, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let current = try await backend.currentRevision()
            if revision <= UInt64(max(current, 0)) { return }
            if clock.now >= deadline { throw tooLarge(revision, current: current) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func tooLarge(_ revision: UInt64, current: Int64) -> APIError {
        APIError(code: 504, reason: "Timeout", message: "Timeout: Too large resource version: \(revision), current: \(current)",
                 details: .init(causes: [.init(reason: "ResourceVersionTooLarge", message: "Too large resource version", field: "")],
                                retryAfterSeconds: retryAfterSeconds))
    }
}
