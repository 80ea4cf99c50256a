import Logging

/// Removes connection-tracking entries that would keep sending UDP to an
/// endpoint that is gone, or keep a client's "refused" answer for a service
/// that has endpoints now (TCP needs nothing: a dead backend resets). Uses
/// the conntrack tool (Debian's conntrack package), as kube-proxy did.
struct Conntrack: Sendable {
    let runner: any CommandRunning
    let log: Logger

    /// Filters, each one `conntrack -D` call; "0 flow entries" is not an error.
    func delete(_ filters: [[String]]) {
        for f in filters {
            guard let r = runner.run(["conntrack", "-D"] + f, input: "") else {
                log.warning("conntrack is not installed: stale UDP flows to removed endpoints stay until they time out")
                return
            }
            if r.status != 0 && r.status != 1 {
                log.warning("conntrack -D \(f.joined(separator: " ")) failed (\(r.status)): \(r.stderr.trimmingNewlines)")
            }
        }
    }

    /// What to delete after a sync, from each UDP port's usable endpoints before and after.
    static func staleFilters(before: [String: (ProxyServicePort, Set<ProxyEndpoint>)],
                             after: [String: (ProxyServicePort, Set<ProxyEndpoint>)]) -> [[String]] {
        var out: [[String]] = []
        for (key, (port, old)) in before.sorted(by: { $0.key < $1.key }) where port.proto == "udp" {
            let now = after[key]?.1 ?? []
            let gone = old.subtracting(now).map(\.ip)
            for ip in Set(gone).sorted() where !now.contains(where: { $0.ip == ip }) {
                let ep = IPv4Text.format(ip)
                for target in ([port.clusterIP].compactMap { $0 } + port.externalIPs + port.loadBalancerIPs) {
                    out.append(["-p", "udp", "--orig-dst", IPv4Text.format(target), "--dst-nat", ep])
                }
                if let np = port.nodePort { out.append(["-p", "udp", "--dport", String(np), "--dst-nat", ep]) }
            }
        }
        for (key, (port, now)) in after.sorted(by: { $0.key < $1.key }) where port.proto == "udp" && !now.isEmpty {
            guard (before[key]?.1 ?? []).isEmpty else { continue }
            for target in ([port.clusterIP].compactMap { $0 } + port.externalIPs + port.loadBalancerIPs) {
                out.append(["-p", "udp", "--orig-dst", IPv4Text.format(target)])
            }
            if let np = port.nodePort { out.append(["-p", "udp", "--dport", String(np)]) }
        }
        return out
    }
}
