import EdgeAPI

/// Sync times of the proxy's kernel programming for N Services of two
/// endpoints each, in either mode, against the network namespace it runs in
/// (scripts/bench runs it in a namespace of its own): a full sync into an
/// empty kernel, one changed Service (partial), a verify with nothing changed.
public enum ProxySyncBenchmark {
    public struct Result: Sendable {
        public var mode: ProxyMode
        /// iptables' flavour, or the nft table.
        public var backend: String
        public var services: Int
        /// Rules, plus map elements in the nftables mode.
        public var rules: Int
        public var fullSeconds: Double
        /// Median and best of several one-service changes (the machine may be busy).
        public var oneChangedSeconds: Double
        public var oneChangedBestSeconds: Double
        public var oneChangedBytes: Int
        /// Of the one-change time, the in-memory rebuild of the rule set (median).
        public var oneChangedBuildSeconds: Double
        /// One of those partial transactions, for a bare iptables-restore / nft of the same input.
        public var oneChangedInput: String
        /// The transaction that undoes it (nftables: replayed alternately with the one above).
        public var oneChangedUndoInput: String
        public var verifySeconds: Double
        public var buildAllSeconds: Double
        /// The full rule set as one transaction (for the bare tool beside it).
        public var restoreText: String
        /// nftables: the full rule set before the last change, which the partial input applies to.
        public var restoreBeforeText: String
    }

    /// One mode's builder and syncer behind two closures.
    struct Driver {
        var build: ([ProxyRuleSet.Input]) -> Void
        var sync: (IPTablesSyncer.Mode) throws -> Int
        var lastInput: () -> String
        var fullText: () -> String
        var ruleCount: () -> Int
        var backend: String
    }

    static func driver(_ mode: ProxyMode, runner: any CommandRunning, settings: ProxySettings) -> Driver {
        switch mode {
        case .iptables:
            let builder = ProxyRuleSet()
            let client = IPTablesClient.detect(runner: runner)
            let syncer = IPTablesSyncer(client: client)
            var rules = IPTablesRules()
            return Driver(build: { rules = builder.build($0, hostPorts: [], settings: settings) },
                          sync: { try syncer.sync(rules, mode: $0).inputBytes }, lastInput: { syncer.lastInput },
                          fullText: { rules.restoreText }, ruleCount: { rules.ruleCount }, backend: "iptables " + client.flavour.rawValue)
        case .nftables:
            let builder = NFTProxyRuleSet()
            let syncer = NFTablesSyncer(client: NFTablesClient(runner: runner, table: NFTProxyNames.table))
            var rules = NFTablesRules()
            return Driver(build: { rules = builder.build($0, hostPorts: [], settings: settings) },
                          sync: { try syncer.sync(rules, mode: $0).inputBytes }, lastInput: { syncer.lastInput },
                          fullText: { var o = NFTablesSyncer.Outcome(mode: .full); return syncer.fullScript(rules, &o) },
                          ruleCount: { rules.ruleCount + rules.elementCount }, backend: "nft table ip " + NFTProxyNames.table)
        }
    }

    public static func run(services count: Int, mode: ProxyMode = .iptables, runner: any CommandRunning = CommandRunner()) throws -> Result {
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
        let d = driver(mode, runner: runner, settings: settings)
        let clock = ContinuousClock()
        var t = clock.now
        d.build(inputs)
        let buildAll = clock.now - t
        t = clock.now
        _ = try d.sync(.full)
        let full = clock.now - t
        var times: [Duration] = []
        var builds: [Duration] = []
        var bytes = 0
        var before = ""
        for round in 1...7 {
            let which = (count / 7) * (round - 1) + count / 14
            if round == 7 { before = d.fullText() }
            inputs[which] = input(which, generation: round)
            t = clock.now
            d.build(inputs)
            builds.append(clock.now - t)
            bytes = try d.sync(.partial)
            times.append(clock.now - t)
        }
        times.sort()
        builds.sort()
        let oneInput = d.lastInput()
        let after = d.fullText()
        let rules = d.ruleCount()
        t = clock.now
        _ = try d.sync(.verify)
        let verify = clock.now - t
        // The undo of the last change, for a bare replay that alternates the two.
        let last = (count / 7) * 6 + count / 14
        inputs[last] = input(last)
        d.build(inputs)
        _ = try d.sync(.partial)
        let undo = d.lastInput()
        return Result(mode: mode, backend: d.backend, services: count, rules: rules, fullSeconds: seconds(full),
                      oneChangedSeconds: seconds(times[times.count / 2]), oneChangedBestSeconds: seconds(times[0]), oneChangedBytes: bytes,
                      oneChangedBuildSeconds: seconds(builds[builds.count / 2]), oneChangedInput: oneInput, oneChangedUndoInput: undo,
                      verifySeconds: seconds(verify), buildAllSeconds: seconds(buildAll), restoreText: after, restoreBeforeText: before)
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
