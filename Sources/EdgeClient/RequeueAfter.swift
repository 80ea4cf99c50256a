import EdgeAPI

/// An error that asks for the key to be looked at again later without
/// counting as a failure worth logging (e.g. waiting for a cache to catch up).
/// Delays computed from objects (a TTL of 68 years) are capped at a day:
/// sleeping longer would trap, and the reconcile after it simply waits again.
public struct RequeueAfter: Error, Sendable {
    public var delay: Duration
    public init(_ delay: Duration) { self.delay = min(max(delay, .zero), .longestSleep) }
}
