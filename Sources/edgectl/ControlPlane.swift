import EdgeAPI
import EdgeAPIServer
import EdgeRegistry
import EdgeClient
import EdgeControllers
import EdgeImages
import EdgeScheduler
import EdgeStore
import EdgeTLS
import Synchronization

/// What a server runs besides serving the API. The scheduler and the controller manager (with the
/// namespace finalizer and store compaction) run on one server at a time, each under its own Lease in
/// kube-system as kube-scheduler and kube-controller-manager are; every server keeps itself listed in
/// the kubernetes Endpoints. With one server it simply always leads.
struct ControlPlane: Sendable {
    let store: ObjectStore
    let backend: any Backend
    /// This server among the servers: its node name and a digest of its data dir, the same across restarts
    /// (client-go uses hostname_uuid; a stable one lets a server restarted after a crash take its own lease back
    /// at once instead of waiting for it to expire, and one data dir serves one server at a time).
    let identity: String
    let client: @Sendable (_ user: String, _ userAgent: String) -> APIClient
    /// A fresh set of controllers for each term of leadership.
    let makeControllers: @Sendable () -> [any Controller]
    /// How often compaction runs (--compaction-interval) and how much history it keeps (--compaction-retention).
    let compactionInterval: Duration
    let compactionRetention: Duration
    let apiServerIP: String
    let apiServerPort: Int
    /// The embedded etcd's cluster (--cluster-init): members of deleted servers' nodes are removed.
    var etcdMembers: EtcdMaintenance?
    var timing = LeaderElector.Timing.standard
    /// False when no other server can share the store (SQLite: its revision mark's lock admits one process),
    /// as kube-scheduler and kube-controller-manager with --leader-elect=false: this server always leads,
    /// and no Lease is renewed every 2 s (3,600 durable commits an hour an SD card would pay for).
    var leaderElection = true
    /// False likewise: this server is the only API server, so it lists itself without renewing a Lease.
    var sharedStore = true

    static func identity(nodeName: String, dataDir: String) -> String {
        let hex = Digest.sha256(Array(dataDir.utf8)).prefix(4).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        return nodeName + "_" + hex.joined()
    }

    func run() async {
        let schedulerClient = client("system:kube-scheduler", "edgectl-scheduler")
        let controllerClient = client("system:kube-controller-manager", "edgectl-controller-manager")
        let store = self.store, backend = self.backend, makeControllers = self.makeControllers
        let retention = compactionRetention, interval = min(compactionInterval, compactionRetention)
        let etcdMembers = self.etcdMembers
        let elect = leaderElection, identity = self.identity, timing = self.timing
        /// Runs `work` under the component's Lease, or directly when this server cannot have a rival.
        @Sendable func lead(_ name: String, _ client: APIClient, _ work: @escaping @Sendable () async -> Void) async {
            if elect {
                await LeaderElector(client: client, name: name, identity: identity, timing: timing).run(work)
            } else {
                await work()
            }
        }
        await withTaskGroup(of: Void.self) { g in
            g.addTask {
                await lead("kube-scheduler", schedulerClient) {
                    await Scheduler(client: schedulerClient, imageName: { ImageStore.normalize($0) }).run()
                }
            }
            g.addTask {
                await lead("kube-controller-manager", controllerClient) {
                    let manager = ControllerManager(context: ControllerContext(client: controllerClient, informers: SharedInformers(client: controllerClient)),
                                                    controllers: makeControllers())
                    await withTaskGroup(of: Void.self) { lead in
                        lead.addTask { await manager.run() }
                        lead.addTask { await NamespaceFinalizer(store: store).run() }
                        if let etcdMembers {
                            lead.addTask { await EtcdMemberRemoval(client: controllerClient, etcd: etcdMembers).run() }
                        }
                        if retention > .zero {
                            lead.addTask { await Compactor(backend: backend, interval: interval, retention: retention).run() }
                        }
                    }
                }
            }
            g.addTask {
                // The API server's own bookkeeping (its lease, the kubernetes Endpoints), as the API server.
                await APIServerEndpointsReconciler(client: client("system:apiserver", "edgectl-apiserver"), ip: apiServerIP, port: apiServerPort,
                                                   alone: !sharedStore).run()
            }
        }
    }

    /// Waits for `task` to finish, at most `limit` (a task that does not end is left behind, not awaited).
    static func wait(for task: Task<Void, Never>, atMost limit: Duration) async {
        let done = Mutex(false)
        Task { await task.value; done.withLock { $0 = true } }
        let deadline = ContinuousClock.now + limit
        while !done.withLock({ $0 }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
