import EdgeAPI
import EdgeClient
import EdgeNet
import EdgeRuntime
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The pod half of the agent: watches the pods bound to this node and keeps
/// each one's containers as its spec says (init containers in order, restart
/// policy with crash-loop backoff, probes, graceful termination), reporting
/// status as upstream's kubelet does. Level-triggered: every sync of a pod
/// reads its directory and the API object and takes the next steps.
public final class PodManager: Sendable {
    static let pods = BuiltinResources.pods

    public struct Config: Sendable {
        public var nodeName: String
        /// The agent's data dir; pods live under <dataDir>/pods.
        public var dataDir: String
        /// The edgectl binary, started as each container's supervisor (`edgectl shim`).
        public var shimExecutable: String
        public var hostIP: String
        /// Node allocatable (cpu, memory), for resourceFieldRef without limits.
        public var allocatable: [String: String] = [:]
        public var workers = 4
        /// Container log rotation, kubelet's --container-log-max-size (10Mi) and --container-log-max-files (5).
        public var containerLogMaxBytes: Int64 = 10 << 20
        public var containerLogMaxFiles = 5
        /// Hard eviction threshold for memory.available (the board profile's); nil: no memory eviction.
        public var evictionMemoryAvailableBytes: Int64?
        /// The node's memory.available now (MemAvailable); asked at each eviction check.
        public var memoryAvailable: (@Sendable () -> Int64?)?
        /// How often the eviction manager looks (kubelet's housekeeping, 10 s).
        public var evictionInterval: Duration = .seconds(10)
        public var housekeepingInterval: Duration = .milliseconds(500)
        /// Connects pods' namespaces (nil: loopback only, no pod IPs).
        public var network: (any PodNetwork)?
        /// The node's resolv.conf that pods' DNS settings start from (kubelet's --resolv-conf).
        public var resolvConf = "/etc/resolv.conf"
        /// The node's hosts file, which hostNetwork pods see with their hostAliases.
        public var hostsFile = "/etc/hosts"
        public init(nodeName: String, dataDir: String, shimExecutable: String, hostIP: String) {
            self.nodeName = nodeName
            self.dataDir = dataDir
            self.shimExecutable = shimExecutable
            self.hostIP = hostIP
        }
    }

    let client: APIClient
    let images: any ImageSource
    let config: Config
    let informer: Informer
    let queue = WorkQueue(baseDelay: .milliseconds(200), maxDelay: .seconds(30))
    let events: EventRecorder
    let logger = Logger(label: "edgectl.pods")
    /// Failed syncs, logged once per pod and error (a failing pod is retried with backoff).
    let syncFailures = FailureStreaks()
    let local = Mutex<[String: LocalPod]>([:])
    let probes: ProbeManager
    /// Removes unused images under disk pressure; nil: images are never collected.
    let imageGC: ImageGCManager?
    /// Runs a command in a running container (exec probes and preStop hooks); nil: not available.
    let exec: (@Sendable (_ target: ExecRequest) async -> (ok: Bool, output: String))?

    public struct ExecRequest: Sendable {
        public var target: ExecTarget
        public var command: [String]
        public var timeout: Duration
    }

    var podsRoot: String { config.dataDir + "/pods" }

    public init(client: APIClient, images: any ImageSource, config: Config, imageGC: ImageGCManager? = nil,
                exec: (@Sendable (ExecRequest) async -> (ok: Bool, output: String))? = nil) {
        self.client = client
        self.images = images
        self.config = config
        self.imageGC = imageGC
        self.exec = exec
        informer = Informer(client: client, resource: Self.pods, fieldSelector: "spec.nodeName=" + config.nodeName)
        events = EventRecorder(client: client, component: "kubelet", host: config.nodeName)
        let q = queue
        let ev = events
        let inf = informer
        probes = ProbeManager(changed: { q.add($0) }, report: { key, container, message in
            guard let pod = inf.get(key) else { return }
            Task { await ev.record(pod, type: "Warning", reason: "Unhealthy", message: message) }
        })
    }

    public func run() async {
        try? PosixFile.makeDirectories(podsRoot, mode: 0o700)
        adoptFromDisk()
        // Addresses and interfaces of pods deleted while the agent was down go before any pod starts.
        await config.network?.collectGarbage(live: Set(PosixFile.list(podsRoot)))
        informer.addHandler(.any { [queue] in queue.add(Informer.key($0)) })
        await withTaskGroup(of: Void.self) { g in
            g.addTask { await self.informer.run() }
            g.addTask { await self.informer.waitForSync(); await self.housekeeping() }
            for _ in 0..<config.workers { g.addTask { await self.worker() } }
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: { self.queue.shutDown() }
            g.cancelAll()
        }
    }

    /// Pods found on disk after a restart: their containers kept running under their shims.
    func adoptFromDisk() {
        for uid in PosixFile.list(podsRoot) {
            guard let meta = PosixFile.readJSON(PodPaths(podsRoot: podsRoot, uid: uid).metadata),
                  let ns = meta["namespace"]?.string, let name = meta["name"]?.string else { continue }
            local.withLock { $0[uid] = LocalPod(namespace: ns, name: name, uid: uid) }
        }
    }

    func worker() async {
        await queue.work("pods", logger: logger, streaks: syncFailures) { try await self.sync($0) }
    }

    /// Watches exits and kill deadlines between events, resyncs everything now and then, and lets
    /// image GC look at the disk when its check is due.
    func housekeeping() async {
        var tick = 0
        var nextEvictionCheck = ContinuousClock.now + config.evictionInterval
        while !Task.isCancelled {
            try? await Task.sleep(for: config.housekeepingInterval)
            tick += 1
            let now = ContinuousClock.now
            let due = local.withLock { pods in
                pods.values.filter { p in
                    p.running.contains { PosixFile.exists(Shim.exitPath($0)) } || p.killDeadlines.values.contains { $0 <= now }
                }.map { $0.key }
            }
            due.forEach(queue.add)
            if tick % 20 == 0 {
                for p in informer.list() { queue.add(Informer.key(p)) }
                for k in local.withLock({ $0.values.map { $0.key } }) { queue.add(k) }
            }
            if let imageGC { await collectImagesIfDue(imageGC) }
            if now >= nextEvictionCheck {
                nextEvictionCheck = now + config.evictionInterval
                await evictIfUnderMemoryPressure()
            }
        }
    }
}
