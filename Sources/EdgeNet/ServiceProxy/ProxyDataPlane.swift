import Logging

/// What a sync did, in the words of either mode.
struct ProxySyncOutcome: Sendable {
    var mode: IPTablesSyncer.Mode
    /// Chains written or deleted, jumps or elements restored: 0 when nothing changed.
    var changes: Int
    var summary: String
}

/// The kernel side of the service proxy: turns service ports and host ports
/// into rules (iptables or nftables) and keeps the kernel in step. Used from
/// one task at a time.
protocol ProxyDataPlane: AnyObject, Sendable {
    var description: String { get }
    func sync(_ inputs: [ProxyRuleSet.Input], hostPorts: [HostPortMapping], settings: ProxySettings,
              mode: IPTablesSyncer.Mode) throws -> ProxySyncOutcome
    /// On a verify tick (the nth since start): whether to compare every rule with the kernel now.
    func wantsVerify(tick: Int, period: Duration) -> Bool
    /// Settings changed: everything is rebuilt.
    func invalidate()
    /// Removes what the other mode left behind (the node ran the other mode before).
    func removeOtherMode(log: Logger)
}
