import EdgeAPI

/// Sync times of the proxy's iptables programming for N Services of two
/// endpoints each, against the iptables of the network namespace it runs in
/// (scripts/bench runs it in a namespace of its own): a full sync into empty
/// tables, one changed Service (partial), a verify with nothing changed.
public enum ProxySyncBenchmark {
    public struct Result: Sendable {
        public var services: Int
        public var rules: Int
        public var fullSeconds: Double
        /// Median and best of several one-service changes (the machine may be busy).
        public var oneChangedSeconds: Double
        public var oneChangedBestSeconds: Double
        public var oneChangedBytes: Int
        /// Of the one-change time, the in-memory rebuild of the rule set (median).
        public var oneChangedBuildSeconds: Double
        /// One of those partial transactions, for a bare iptables-restore of the same input.
        public var oneChangedInput: String
        public var verifySeconds: Double
        public var buildAllSeconds: Double
        /// The full rule set as one iptables-restore input (for the bare restore beside it).
        public var restoreText: String
    }

    public static func run(services count: Int, client: IPTablesClient) throws -> Result {
        let settings = ProxySettings(nodeName: "node-a", clusterCIDR: "10.42.0.0/16")
        func input(_ i: Int, generation: Int = 0) -> ProxyRuleSet.Input {
            let ip = UInt32(0x0A2B_0000) + UInt32(i + 2)
            let port = ProxyServicePort(namespace: "bench", name: "svc-\(i)", portName: "http", proto: "tcp", port: 80, clusterIP: ip)
            let eps = (0..<2).map { k -> ProxyEndpoint in
                // Typed steps: Swift 6.2 (the boards' compiler) gives up on this as one expression.
                let offset: Int = (i * 2 + k + generation * 7) % 65000 + 2
                let endpointIP: UInt32 = UInt32(0x0A2A_0000) + UInt32(offset)
                return ProxyEndpoint(ip: endpointIP, port: 8080, ready: true, serving: true, terminating: false, local: k == 0)
            }
            return .init(port: port, endpoints: eps.sorted())
        }
        var inputs = (0..<count).map { input($0) }
        let builder = ProxyRuleSet()
        let syncer = IPTablesSyncer(client: client)
        let clock = ContinuousClock()
        var t = clock.now
        let rules = builder.build(inputs, hostPorts: [], settings: settings)
        let buildAll = clock.now - t
        t = clock.now
        _ = try syncer.sync(rules, mode: .full)
        let full = clock.now - t
        var times: [Duration] = []
        var builds: [Duration] = []
        var changed = rules
        var o = IPTablesSyncer.Outcome(mode: .partial)
        for round in 1...7 {
            let which = (count / 7) * (round - 1) + count / 14
            inputs[which] = input(which, generation: round)
            t = clock.now
            changed = builder.build(inputs, hostPorts: [], settings: settings)
            builds.append(clock.now - t)
            o = try syncer.sync(changed, mode: .partial)
            times.append(clock.now - t)
        }
        times.sort()
        builds.sort()
        let one = times[times.count / 2]
        let oneInput = syncer.lastInput
        t = clock.now
        _ = try syncer.sync(changed, mode: .verify)
        let verify = clock.now - t
        return Result(services: count, rules: changed.ruleCount, fullSeconds: seconds(full), oneChangedSeconds: seconds(one),
                      oneChangedBestSeconds: seconds(times[0]), oneChangedBytes: o.inputBytes, oneChangedBuildSeconds: seconds(builds[builds.count / 2]), oneChangedInput: oneInput, verifySeconds: seconds(verify), buildAllSeconds: seconds(buildAll),
                      restoreText: changed.restoreText)
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
