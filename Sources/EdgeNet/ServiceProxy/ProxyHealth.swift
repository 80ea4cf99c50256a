import Synchronization

/// Whether the node's service proxy can program the kernel, for the Node's conditions: a node
/// whose iptables is missing or refuses edgectl's rules cannot carry Service traffic, so it says
/// so on its Node (NetworkUnavailable True, which taints it NoSchedule) instead of taking pods
/// whose Services would not work. Pods already there keep running.
public final class ProxyHealth: Sendable {
    public enum State: Equatable, Sendable {
        case starting
        case working
        case failing(String)
    }

    public static let failedReason = "ServiceProxyFailed"

    private let state = Mutex<(current: State, onChange: (@Sendable () -> Void)?)>((.starting, nil))

    public init() {}

    public var current: State { state.withLock { $0.current } }

    /// Called after each change of state (the agent then writes its Node's status at once).
    public func onChange(_ f: @escaping @Sendable () -> Void) { state.withLock { $0.onChange = f } }

    func set(_ s: State) {
        let callback = state.withLock { st -> (@Sendable () -> Void)? in
            guard st.current != s else { return nil }
            st.current = s
            return st.onChange
        }
        callback?()
    }

    /// The pod network's readiness with the proxy's failure folded into NetworkUnavailable.
    public func applied(to readiness: NetworkReadiness) -> NetworkReadiness {
        guard case .failing(let why) = current else { return readiness }
        var r = readiness
        r.unavailable = .init(status: true, reason: Self.failedReason,
                              message: "the service proxy cannot program this node's iptables: \(why)")
        return r
    }
}
