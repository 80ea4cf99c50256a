#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How long a test keeps waiting for a condition before it fails. Tests wait on the
/// condition itself, never for a fixed time; this is only the point where they give up.
/// Under qemu-user on a loaded 2-core machine everything runs 10-50 times slower than
/// natively, so `scripts/cross-test` sets `EDGECTL_TEST_DEADLINE_SCALE` and every
/// deadline is multiplied by it (1 when unset; at most 100).
public enum TestDeadline {
    public static let scale: Int = {
        guard let raw = getenv("EDGECTL_TEST_DEADLINE_SCALE"), let n = Int(String(cString: raw)), n >= 1 else { return 1 }
        return min(n, 100)
    }()

    /// `base` stretched by the scale.
    public static func scaled(_ base: Duration) -> Duration { base * scale }

    /// The time after which a wait that starts now gives up.
    public static func after(_ base: Duration) -> ContinuousClock.Instant { .now + scaled(base) }

    /// Checks `condition` every `interval` until it holds (true) or the scaled `base` has passed (false).
    public static func poll(within base: Duration, every interval: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let giveUp = after(base)
        while try await !condition() {
            guard ContinuousClock.now < giveUp else { return false }
            try await Task.sleep(for: interval)
        }
        return true
    }
}
