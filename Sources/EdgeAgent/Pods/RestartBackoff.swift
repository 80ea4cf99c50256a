/// Crash-loop delays as upstream: the first restart is immediate, then 10 s
/// doubling to 5 minutes; a container that ran 10 minutes starts over.
struct RestartBackoff: Sendable, Equatable {
    static let initial: Duration = .seconds(10)
    static let maximum: Duration = .seconds(300)
    static let resetAfter: Duration = .seconds(600)

    /// The delay owed before the next restart; nil: none yet.
    var delay: Duration?

    /// The delay before restarting a container that ran for `ran`, and the state after it.
    mutating func next(ran: Duration) -> Duration {
        if ran >= Self.resetAfter { delay = nil }
        guard let d = delay else {
            delay = Self.initial
            return .zero
        }
        delay = min(d * 2, Self.maximum)
        return d
    }
}
