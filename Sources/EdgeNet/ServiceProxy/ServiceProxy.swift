import EdgeAPI
import EdgeClient
import Logging
import Synchronization

/// The node's service proxy: watches Services, EndpointSlices, the pods on
/// this node (host ports) and the Node itself, and keeps the kernel's rules in
/// step through one data plane (iptables or nftables mode). Changes are coalesced for a moment and
/// applied as a partial sync; every `verifyPeriod` the kernel's copy is
/// checked and repaired (rules deleted by hand come back); every
/// `fullSyncPeriod` everything is rewritten. The rules stay when the agent
/// stops, so established and new service traffic keeps flowing across a
/// restart; `edgectl`'s clean-up removes them.
public final class ServiceProxy: Sendable {
    public struct Config: Sendable {
        public var settings: ProxySettings
        /// How long a change waits for others before the sync (kube-proxy's minSyncPeriod, shorter).
        public var coalesce: Duration = .milliseconds(100)
        /// How often the dispatch chains and jumps are checked (cheap); every tenth check
        /// compares every chain of ours with the kernel's (a save of both tables).
        public var verifyPeriod: Duration = .seconds(30)
        public var fullSyncPeriod: Duration = .seconds(3600)
        /// Told whether syncs work, for the Node's conditions.
        public var health = ProxyHealth()
        public init(settings: ProxySettings) { self.settings = settings }
    }

    static let services = BuiltinResources.services
    static let slices = BuiltinResources.endpointSlices
    static let pods = BuiltinResources.pods
    static let nodes = BuiltinResources.nodes
    /// The Node annotation the server's node IPAM writes the cluster CIDR in.
    static let clusterCIDRAnnotation = "cluster.edgectl.io/cluster-cidr"

    let config: Config
    let plane: any ProxyDataPlane
    let conntrack: Conntrack
    let log: Logger
    let serviceInformer: Informer
    let sliceInformer: Informer
    let podInformer: Informer
    let nodeInformer: Informer
    let events: EventRecorder
    /// Each Service's parsed ports and endpoints, kept while its resourceVersion and its
    /// slices' stay the same: a sync among thousands of Services parses only what changed.
    private let parsed = Mutex([String: (versions: [String], settings: ProxySettings, inputs: [ProxyRuleSet.Input])]())
    /// Set by the verify ticker, taken by the next sync.
    private let verifyDue = Mutex(false)
    private let changes: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    /// The iptables mode.
    public convenience init(client: APIClient, iptables: IPTablesClient, config: Config, log: Logger = Logger(label: "edgectl.proxy")) {
        self.init(client: client, plane: IPTablesDataPlane(client: iptables), runner: iptables.runner, config: config, log: log)
    }

    /// The nftables mode.
    public convenience init(client: APIClient, nftables: NFTablesClient, config: Config, log: Logger = Logger(label: "edgectl.proxy")) {
        self.init(client: client, plane: NFTablesDataPlane(client: nftables), runner: nftables.runner, config: config, log: log)
    }

    /// The mode's tools found on this host (iptables' flavour detected as kube-proxy's wrapper does).
    public convenience init(client: APIClient, mode: ProxyMode, config: Config, log: Logger = Logger(label: "edgectl.proxy")) {
        switch mode {
        case .iptables: self.init(client: client, iptables: IPTablesClient.detect(), config: config, log: log)
        case .nftables: self.init(client: client, nftables: NFTablesClient(table: NFTProxyNames.table), config: config, log: log)
        }
    }

    init(client: APIClient, plane: any ProxyDataPlane, runner: any CommandRunning, config: Config, log: Logger) {
        self.config = config
        self.log = log
        self.plane = plane
        events = EventRecorder(client: client, component: "edgectl-proxy", host: config.settings.nodeName)
        conntrack = Conntrack(runner: runner, log: log)
        let node = config.settings.nodeName
        serviceInformer = Informer(client: client, resource: Self.services)
        sliceInformer = Informer(client: client, resource: Self.slices)
        podInformer = Informer(client: client, resource: Self.pods, fieldSelector: "spec.nodeName=" + node)
        nodeInformer = Informer(client: client, resource: Self.nodes, fieldSelector: "metadata.name=" + node)
        (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let signal = self.signal
        for inf in [serviceInformer, sliceInformer, podInformer, nodeInformer] { inf.addHandler(.any { _ in signal.yield() }) }
    }

    /// Until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { g in
            for inf in [serviceInformer, sliceInformer, podInformer, nodeInformer] { g.addTask { await inf.run() } }
            g.addTask { await self.syncLoop() }
            g.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.config.verifyPeriod)
                    self.verifyDue.withLock { $0 = true }
                    self.signal.yield()
                }
            }
            await g.next()
            g.cancelAll()
        }
    }

    func syncLoop() async {
        for inf in [serviceInformer, sliceInformer, podInformer, nodeInformer] { await inf.waitForSync() }
        let clock = ContinuousClock()
        var lastFull = clock.now
        var mode = IPTablesSyncer.Mode.full
        var failures = 0
        var checks = 0
        var lastFailure = ""
        var usable: [String: (ProxyServicePort, Set<ProxyEndpoint>)] = [:]
        var settings = currentSettings()
        log.info("service proxy starting on node \(config.settings.nodeName) (\(plane.description))")
        plane.removeOtherMode(log: log)
        var iterator = changes.makeAsyncIterator()
        while !Task.isCancelled {
            let now = clock.now
            let verify = verifyDue.withLock { v in defer { v = false }; return v }
            if verify { checks += 1 }
            if now - lastFull >= config.fullSyncPeriod { mode = .full } else if verify && mode == .partial {
                if plane.wantsVerify(tick: checks, period: config.verifyPeriod) { mode = .verify }
            }
            let fresh = currentSettings()
            if fresh != settings { settings = fresh; plane.invalidate() }
            let (inputs, hostPorts) = snapshot(settings)
            let started = clock.now
            do {
                let outcome = try plane.sync(inputs, hostPorts: hostPorts, settings: settings, mode: mode)
                if outcome.mode == .full { lastFull = clock.now }
                if outcome.changes > 0 {
                    log.debug("proxy \(outcome.mode.rawValue) sync: \(outcome.summary) in \(clock.now - started)")
                    if mode == .verify { log.info("proxy rules changed outside edgectl, repaired by a \(outcome.mode.rawValue) sync: \(outcome.summary)") }
                }
                if failures > 0 { log.info("proxy sync works again after \(failures) failed attempts") }
                config.health.set(.working)
                failures = 0
                lastFailure = ""
                mode = .partial
                var after: [String: (ProxyServicePort, Set<ProxyEndpoint>)] = [:]
                for i in inputs {
                    let c = EndpointCategories(i.port, i.endpoints)
                    after[i.port.key + "/" + i.port.proto] = (i.port, Set(c.reachable))
                }
                conntrack.delete(Conntrack.staleFilters(before: usable, after: after))
                usable = after
            } catch {
                failures += 1
                mode = .full
                // Logged when it starts and when the reason changes, not on every retry (iptables missing, say).
                let reason = "\(error)"
                if reason != lastFailure {
                    log.error("proxy sync failed, retrying with a full sync every few seconds: \(reason)")
                    lastFailure = reason
                    config.health.set(.failing(reason))
                    if let me = nodeInformer.list().first {
                        await events.record(me, type: "Warning", reason: "ServiceProxySyncFailed",
                                            message: "the service proxy cannot program \(plane.description): \(reason)")
                    }
                }
                try? await Task.sleep(for: .milliseconds(min(200 * (1 << min(failures, 6)), 10_000)))
                continue
            }
            // Wait for the next change (or the verify tick), then let a burst settle.
            guard await iterator.next() != nil else { return }
            try? await Task.sleep(for: config.coalesce)
        }
    }

    /// Chains checked on every tick: the fixed ones and the per-/24 buckets (not the thousands per service).
    static func isDispatchChain(_ name: String) -> Bool {
        !["EDGE-SVC-", "EDGE-SVL-", "EDGE-EXT-", "EDGE-SEP-"].contains { name.hasPrefix($0) }
    }

    /// The cluster CIDR from the Node's annotation when the server wrote one, else the configured one.
    func currentSettings() -> ProxySettings {
        var s = config.settings
        if let node = nodeInformer.list().first,
           let cidr = node[path: ["metadata", "annotations", Self.clusterCIDRAnnotation]]?.string, IPv4Block(cidr) != nil {
            s.clusterCIDR = cidr
        }
        return s
    }

    /// Every service port with its endpoints, and the host ports of pods here.
    func snapshot(_ settings: ProxySettings) -> ([ProxyRuleSet.Input], [HostPortMapping]) {
        var slicesByService: [String: [JSON]] = [:]
        for s in sliceInformer.list() {
            guard let svc = s[path: ["metadata", "labels", "kubernetes.io/service-name"]]?.string else { continue }
            slicesByService[(s[path: ["metadata", "namespace"]]?.string ?? "") + "/" + svc, default: []].append(s)
        }
        var inputs: [ProxyRuleSet.Input] = []
        let memo = parsed.withLock { $0 }
        var fresh: [String: (versions: [String], settings: ProxySettings, inputs: [ProxyRuleSet.Input])] = [:]
        fresh.reserveCapacity(memo.count)
        func version(_ o: JSON) -> String { o[path: ["metadata", "resourceVersion"]]?.string ?? "" }
        for svc in serviceInformer.list() {
            let key = Informer.key(svc)
            let slices = slicesByService[key] ?? []
            let versions = [version(svc)] + slices.map { Informer.key($0) + "@" + version($0) }.sorted()
            if let hit = memo[key], hit.versions == versions, hit.settings == settings, !versions[0].isEmpty {
                fresh[key] = hit
                inputs += hit.inputs
                continue
            }
            let these = ProxyServicePort.ports(of: svc).map { p in
                ProxyRuleSet.Input(port: p, endpoints: ProxyEndpoint.endpoints(for: p, slices: slices, nodeName: settings.nodeName))
            }
            fresh[key] = (versions, settings, these)
            inputs += these
        }
        parsed.withLock { $0 = fresh }
        let hostPorts = podInformer.list().flatMap(HostPortMapping.mappings(of:))
        return (inputs, hostPorts)
    }
}
