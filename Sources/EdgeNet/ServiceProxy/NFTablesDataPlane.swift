import Logging

/// The nftables mode: NFTProxyRuleSet into NFTablesSyncer.
final class NFTablesDataPlane: ProxyDataPlane, @unchecked Sendable {
    let syncer: NFTablesSyncer
    let builder = NFTProxyRuleSet()
    let forwardAccept: HostForwardAccept
    let log = Logger(label: "edgectl.proxy")
    /// What the last verify cost: a listing of a large table is not free, so verifies are spaced
    /// to take at most about 2 % of the time (each tick for a home lab's few hundred rules).
    private var verifyCost: Duration = .zero
    private let clock = ContinuousClock()

    init(client: NFTablesClient) {
        syncer = NFTablesSyncer(client: client)
        forwardAccept = HostForwardAccept(runner: client.runner)
    }

    var description: String { "nftables table \(syncer.client.family) \(syncer.client.table)" }

    func sync(_ inputs: [ProxyRuleSet.Input], hostPorts: [HostPortMapping], settings: ProxySettings,
              mode: IPTablesSyncer.Mode) throws -> ProxySyncOutcome {
        let rules = builder.build(inputs, hostPorts: hostPorts, settings: settings)
        let started = clock.now
        let o = try syncer.sync(rules, mode: mode)
        if mode == .verify { verifyCost = clock.now - started }
        let forward = forwardAccept.sync(settings, mode: o.mode, log: log)
        return ProxySyncOutcome(mode: o.mode, changes: o.chainsWritten + o.chainsDeleted + o.elementsChanged + (forward.isEmpty ? 0 : 1),
                                summary: "\(o.chainsWritten) chains written, \(o.chainsDeleted) deleted, \(o.elementsChanged) map elements changed"
                                    + (forward.isEmpty ? "" : "; " + forward))
    }

    /// A verify every tick while it is cheap, every nth when it is not (at most every tenth);
    /// between them a look at whether the table is there at all.
    func wantsVerify(tick: Int, period: Duration) -> Bool {
        let ratio = verifyCost / period
        let every = min(10, max(1, Int((ratio * 50).rounded(.up))))
        if tick % every == 0 { return true }
        return !((try? syncer.client.exists()) ?? false)
    }

    func invalidate() { builder.invalidate() }

    func removeOtherMode(log: Logger) {
        let iptables = IPTablesClient.detect(runner: syncer.client.runner)
        do {
            // EDGE-FORWARD stays: this mode keeps it where the host drops forwarded traffic (HostForwardAccept),
            // and removing it first would drop the pods' traffic until the first sync.
            let n = try IPTablesSyncer(client: iptables).removeAll(keeping: [ProxyChains.forward])
            if n > 0 { log.info("removed \(n) iptables chains EDGE-* of the proxy's iptables mode") }
        } catch {
            log.debug("no iptables chains of the proxy checked: \(error)")
        }
    }
}
