import Logging

/// The iptables mode: ProxyRuleSet into IPTablesSyncer.
final class IPTablesDataPlane: ProxyDataPlane, @unchecked Sendable {
    let syncer: IPTablesSyncer
    let builder = ProxyRuleSet()
    private var lastRules: IPTablesRules?

    init(client: IPTablesClient) { syncer = IPTablesSyncer(client: client) }

    var description: String { "iptables \(syncer.client.flavour.rawValue)" }

    func sync(_ inputs: [ProxyRuleSet.Input], hostPorts: [HostPortMapping], settings: ProxySettings,
              mode: IPTablesSyncer.Mode) throws -> ProxySyncOutcome {
        let rules = builder.build(inputs, hostPorts: hostPorts, settings: settings)
        let o = try syncer.sync(rules, mode: mode)
        lastRules = rules
        return ProxySyncOutcome(mode: o.mode, changes: o.chainsWritten + o.chainsDeleted + o.jumpsInserted,
                                summary: "\(o.chainsWritten) chains written, \(o.chainsDeleted) deleted, \(o.jumpsInserted) jumps")
    }

    /// Every tenth tick compares every chain (a save of both tables); between them only the
    /// dispatch chains and the jumps are listed, and a difference there asks for a verify at once.
    func wantsVerify(tick: Int, period: Duration) -> Bool {
        if tick % 10 == 0 { return true }
        guard let last = lastRules else { return false }
        return !((try? syncer.looksIntact(last, spotCheck: ServiceProxy.isDispatchChain)) ?? false)
    }

    func invalidate() { builder.invalidate() }

    func removeOtherMode(log: Logger) {
        let nft = NFTablesClient(runner: syncer.client.runner, table: NFTProxyNames.table)
        do {
            if try nft.delete() { log.info("removed the nftables table ip \(NFTProxyNames.table) of the proxy's nftables mode") }
        } catch {
            // No nft on this host: nothing of the other mode can be there.
            log.debug("no nftables table of the proxy checked: \(error)")
        }
    }
}
