import Synchronization

/// Counts open API connections against the cap. Past it, a few connections
/// are let in only to be told why (429), and beyond those they are closed at
/// once, so a flood costs no TLS state. When many connections have gone, the
/// memory they used is handed back to the system (MemoryReturner).
final class ConnectionGate: Sendable {
    enum Decision { case serve, refuse, drop }

    let limit: Int
    /// Connections admitted only to receive a refusal, at most this many at once.
    let refusalSlots: Int
    private let state = Mutex(State())

    struct State {
        var serving = 0
        var refusing = 0
        /// The most connections served since memory was last handed back.
        var peak = 0
    }

    init(limit: Int, refusalSlots: Int = 64) {
        self.limit = max(1, limit)
        self.refusalSlots = refusalSlots
    }

    func admit() -> Decision {
        state.withLock { s in
            if s.serving < limit {
                s.serving += 1
                s.peak = max(s.peak, s.serving)
                return .serve
            }
            if s.refusing < refusalSlots {
                s.refusing += 1
                return .refuse
            }
            return .drop
        }
    }

    func release(_ d: Decision) {
        let trim: Bool = state.withLock { s in
            switch d {
            case .serve: s.serving -= 1
            case .refuse: s.refusing -= 1
            case .drop: return false
            }
            // A burst has drained (half of the peak gone, and the peak was large): give the memory back.
            if s.peak >= MemoryReturner.worthwhileConnections && s.serving <= s.peak / 2 {
                s.peak = s.serving
                return true
            }
            return false
        }
        if trim { MemoryReturner.shared.returnFreedMemory() }
    }

    var serving: Int { state.withLock { $0.serving } }
}
