import Logging

/// The nftables mode's answer to a host that does not forward (iptables FORWARD
/// policy DROP, as Docker sets it). nftables runs every base chain on a hook and
/// a drop in any of them is final, so an accept in edgectl's own table cannot
/// let pod traffic through iptables' FORWARD: only a rule in that chain can. So,
/// as flannel's FLANNEL-FWD, the cluster's accepts (ProxyChains.forwardRules) go
/// into edgectl's own iptables chain EDGE-FORWARD with one jump at the top of
/// FORWARD — and only where the host needs them: a host that forwards anyway
/// gets nothing in iptables, so no extra chain runs for every forwarded packet.
/// Decided again on every full or verify sync (Docker may start after the agent);
/// once put in, the accepts stay in step until the agent stops.
final class HostForwardAccept: @unchecked Sendable {
    let runner: any CommandRunning
    private var syncer: IPTablesSyncer?
    private var installed = false
    /// The last failure logged, so a lasting one is logged once, not on every sync.
    private var lastFailure: String?

    init(runner: any CommandRunning) { self.runner = runner }

    /// Whether iptables' FORWARD drops what no rule accepts: a DROP policy, or a rule of the
    /// host's that drops or rejects everything (no match before its target).
    static func dropsForwarding(_ filter: SavedTable) -> Bool {
        if let policy = filter.policies["FORWARD"], policy != "ACCEPT" { return true }
        return (filter.chains["FORWARD"] ?? []).contains { $0 == "-j DROP" || $0.hasPrefix("-j REJECT") }
    }

    /// Brings EDGE-FORWARD in step; "" when nothing was done, else what was.
    func sync(_ settings: ProxySettings, mode: IPTablesSyncer.Mode, log: Logger) -> String {
        if !installed {
            // Looked at only on full and verify syncs: a partial one changes no host state of its own.
            guard mode != .partial || syncer == nil else { return "" }
            let first = syncer == nil
            let client = syncer?.client ?? IPTablesClient.detect(runner: runner)
            if first { syncer = IPTablesSyncer(client: client) }
            let filter: SavedTable
            do { filter = try client.save(table: "filter") } catch {
                // No iptables here: nothing of it can drop forwarded traffic either.
                note("\(error)", log, level: .debug)
                return ""
            }
            guard Self.dropsForwarding(filter) else {
                // The iptables mode's EDGE-FORWARD, kept through the switch of modes, is not needed here.
                if first && filter.chains[ProxyChains.forward] != nil {
                    do { _ = try syncer?.removeAll(tables: ["filter"]) } catch {
                        note("removing iptables chain \(ProxyChains.forward), which this host does not need: \(error)", log)
                    }
                }
                return ""
            }
            log.info("iptables' FORWARD chain drops forwarded traffic on this host: accepting the cluster's in iptables chain \(ProxyChains.forward)")
            installed = true
        }
        guard let syncer else { return "" }
        var rules = IPTablesRules()
        rules.jumps = [ProxyChains.forwardJump]
        rules.set("filter", ProxyChains.forward, ProxyChains.forwardRules(settings, rejectsFirst: false))
        do {
            let o = try syncer.sync(rules, mode: mode)
            lastFailure = nil
            let changes = o.chainsWritten + o.chainsDeleted + o.jumpsInserted
            return changes == 0 ? "" : "iptables \(ProxyChains.forward): \(o.chainsWritten) chains written, \(o.jumpsInserted) jumps"
        } catch {
            note("accepting the cluster's forwarded traffic in iptables chain \(ProxyChains.forward): \(error)", log)
            return ""
        }
    }

    private func note(_ message: String, _ log: Logger, level: Logger.Level = .warning) {
        guard message != lastFailure else { return }
        lastFailure = message
        log.log(level: level, "\(message)")
    }
}
