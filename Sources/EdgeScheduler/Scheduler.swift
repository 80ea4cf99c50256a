import EdgeAPI
import EdgeClient
import Logging
import Synchronization

/// Places pods on nodes: watches pods without a node whose schedulerName is
/// ours, filters nodes, scores the rest, and binds through pods/binding. Pods
/// that fit nowhere get PodScheduled=False/Unschedulable and a FailedScheduling
/// event naming why per node, and are retried when nodes or pods change.
public final class Scheduler: Sendable {
    public static let pods = BuiltinResources.pods
    public static let nodes = BuiltinResources.nodes

    let client: APIClient
    let schedulerName: String
    /// Shared with the controllers in `edgectl server`: one pod and one node cache in the process.
    let informers: SharedInformerFactory
    /// The scheduler made its own factory and stops it when it ends.
    let ownsInformers: Bool
    /// How image references are normalized ("busybox" -> "docker.io/library/busybox:latest"),
    /// as nodes name their images in the image-platforms annotation.
    let imageName: @Sendable (String) -> String
    let podInformer: Informer
    let nodeInformer: Informer
    let queue = WorkQueue(baseDelay: .seconds(1), maxDelay: .seconds(60))
    let events: EventRecorder
    let logger: Logger
    /// Failed writes of pods' PodScheduled condition, logged once per pod and error.
    let conditionFailures = FailureStreaks()
    /// Binds in flight at once: binding is I/O, placing is the one serial step.
    let maxBindsInFlight = 32

    struct State {
        var nodes: [String: NodeInfo] = [:]
        /// pod key → node, for pods bound or assumed.
        var podNode: [String: String] = [:]
        var unschedulable: Set<String> = []
        var bindsInFlight = 0
        var bindWaiters: [CheckedContinuation<Void, Never>] = []
        var scheduled = 0
        /// Nodes in a stable order, and where the next search starts (upstream's round robin).
        var nodeOrder: [String] = []
        var nextStart = 0
        var imageIndex = ImagePlatformIndex()
    }

    private let state = Mutex(State())

    /// `informers`: the process's shared informers (pods and nodes are read from
    /// them); without one the scheduler lists and watches for itself.
    public init(client: APIClient, informers: SharedInformerFactory? = nil, schedulerName: String = "default-scheduler",
                imageName: @escaping @Sendable (String) -> String = { $0 }, logger: Logger = Logger(label: "edgectl.scheduler")) {
        self.client = client
        self.logger = logger
        self.schedulerName = schedulerName
        self.imageName = imageName
        self.informers = informers ?? SharedInformerFactory(client: client)
        self.ownsInformers = informers == nil
        self.podInformer = self.informers.informer(Self.pods)
        self.nodeInformer = self.informers.informer(Self.nodes)
        self.events = EventRecorder(client: client, component: "default-scheduler")
    }

    /// Pods placed since start (for benchmarks).
    public var scheduledCount: Int { state.withLock { $0.scheduled } }

    public func run() async {
        nodeInformer.addHandler(Informer.Handler(
            added: { [self] n in upsertNode(n) },
            updated: { [self] _, n in upsertNode(n) },
            deleted: { [self] n in
                let name = n[path: ["metadata", "name"]]?.string ?? ""
                state.withLock { s in
                    s.nodes.removeValue(forKey: name)
                    s.nodeOrder.removeAll { $0 == name }
                    s.imageIndex.remove(node: name)
                }
            }))
        podInformer.addHandler(Informer.Handler(
            added: { [self] p in podChanged(p) },
            updated: { [self] _, p in podChanged(p) },
            deleted: { [self] p in podGone(p) }))
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { g in
                g.addTask {
                    await self.informers.startAndSync()
                    // Cancelled while waiting (leadership handed over, shutdown): no loop to run.
                    if Task.isCancelled { return }
                    await self.loop()
                }
                g.addTask { await self.flushUnschedulablePeriodically() }
            }
        } onCancel: {
            queue.shutDown()
        }
        if ownsInformers { informers.stop() }
    }

    func upsertNode(_ n: JSON) {
        let name = n[path: ["metadata", "name"]]?.string ?? ""
        state.withLock { s in
            if let old = s.nodes[name] { s.nodes[name] = old.replacingNode(n) } else {
                s.nodes[name] = NodeInfo(node: n)
                s.nodeOrder.append(name)
            }
            s.imageIndex.update(node: name, images: s.nodes[name]?.imagePlatforms ?? [:])
        }
        retryUnschedulable()
    }

    func podChanged(_ p: JSON) {
        let key = PlacedPod.key(p)
        let node = p[path: ["spec", "nodeName"]]?.string ?? ""
        let phase = p[path: ["status", "phase"]]?.string
        if !node.isEmpty {
            if phase == "Succeeded" || phase == "Failed" { podGone(p); return }
            let placed = PlacedPod(pod: p)
            state.withLock { s in
                if let prev = s.podNode[key], prev != node { s.nodes[prev]?.remove(key) }
                s.podNode[key] = node
                s.nodes[node]?.add(placed)
                s.unschedulable.remove(key)
            }
            return
        }
        if (p[path: ["spec", "schedulerName"]]?.string ?? "default-scheduler") == schedulerName,
           p[path: ["metadata", "deletionTimestamp"]] == nil {
            let assumed = state.withLock { $0.podNode[key] != nil }
            if !assumed { queue.add(key) }
        }
    }

    func podGone(_ p: JSON) {
        let key = PlacedPod.key(p)
        let freed = state.withLock { s -> Bool in
            s.unschedulable.remove(key)
            guard let node = s.podNode.removeValue(forKey: key) else { return false }
            s.nodes[node]?.remove(key)
            return true
        }
        if freed { retryUnschedulable() }
    }

    func retryUnschedulable() {
        let keys = state.withLock { s -> Set<String> in
            defer { s.unschedulable = [] }
            return s.unschedulable
        }
        for k in keys { queue.add(k) }
    }

    func flushUnschedulablePeriodically() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(30))
            retryUnschedulable()
        }
    }

    func loop() async {
        while let key = await queue.get() {
            await scheduleOne(key)
            queue.done(key)
        }
    }

    func scheduleOne(_ key: String) async {
        guard let pod = podInformer.get(key), (pod[path: ["spec", "nodeName"]]?.string ?? "").isEmpty,
              pod[path: ["metadata", "deletionTimestamp"]] == nil else { return }
        if state.withLock({ $0.podNode[key] != nil }) { return }
        var placed = PlacedPod(pod: pod)
        let images = PlacedPod.images(pod).map(imageName)
        let (feasible, reasons, total) = state.withLock { s in
            placed.imagePlatforms = images.compactMap { image in s.imageIndex.platforms(of: image).map { (image, $0) } }
            let r = Self.filter(pod, placed, s.nodes, order: s.nodeOrder, start: s.nextStart)
            if !s.nodeOrder.isEmpty { s.nextStart = (s.nextStart + r.examined) % s.nodeOrder.count }
            return (r.feasible, r.reasons, s.nodes.count)
        }
        guard let chosen = Scores.pick(pod, placed, feasible) else {
            await markUnschedulable(pod, key: key, message: Self.fitErrorMessage(total: total, reasons: reasons))
            return
        }
        // Assume first so the next pod sees this one's requests before the bind lands.
        state.withLock { s in
            s.podNode[key] = chosen
            s.nodes[chosen]?.add(placed)
        }
        await acquireBindSlot()
        Task { await self.bind(pod, key: key, node: chosen) }
    }

    /// Upstream's adaptive percentageOfNodesToScore: below 100 nodes all are
    /// examined; above, the search stops once this many feasible nodes are
    /// found (50% falling by 1% per 125 nodes, at least 5%, at least 100 nodes).
    static func feasibleNodesToFind(_ total: Int) -> Int {
        if total < 100 { return total }
        let percent = max(5, 50 - total / 125)
        return max(100, total * percent / 100)
    }

    /// Runs the filters over nodes in round-robin order from `start` until enough
    /// feasible nodes are found; returns them, per reason how many nodes it
    /// excluded, and how many nodes were examined. Runs under the state lock so
    /// it reads the node table in place, without copying it.
    static func filter(_ pod: JSON, _ placed: PlacedPod, _ nodes: [String: NodeInfo], order: [String], start: Int)
        -> (feasible: [NodeInfo], reasons: [String: Int], examined: Int) {
        var feasible: [NodeInfo] = []
        var reasons: [String: Int] = [:]
        let want = feasibleNodesToFind(order.count)
        var examined = 0
        for i in 0..<order.count {
            guard let node = nodes[order[(start + i) % order.count]] else { continue }
            examined += 1
            var failed: [String] = []
            for f in Filters.all {
                failed = f(pod, placed, node, nodes)
                if !failed.isEmpty { break }
            }
            if failed.isEmpty {
                feasible.append(node)
                if feasible.count >= want { break }
            } else {
                for r in failed { reasons[r, default: 0] += 1 }
            }
        }
        return (feasible, reasons, examined)
    }

    /// "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector."
    static func fitErrorMessage(total: Int, reasons: [String: Int]) -> String {
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        if parts.isEmpty { return "0/\(total) nodes are available." }
        return "0/\(total) nodes are available: " + parts.joined(separator: ", ") + "."
    }

    func bind(_ pod: JSON, key: String, node: String) async {
        defer { releaseBindSlot() }
        let ns = pod[path: ["metadata", "namespace"]]?.string
        let name = pod[path: ["metadata", "name"]]?.string ?? ""
        let binding: JSON = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": .string(name), "namespace": ns.map { .string($0) } ?? .null],
                             "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)]]
        do {
            _ = try await client.post(Self.pods, namespace: ns, name: name, subresource: "binding", binding)
            state.withLock { $0.scheduled += 1 }
            queue.forget(key)
            await events.record(pod, reason: "Scheduled", message: "Successfully assigned \(ns ?? "")/\(name) to \(node)")
        } catch let e as APIError where e.code == 404 {
            state.withLock { s in s.podNode[key] = nil; s.nodes[node]?.remove(key) }
        } catch {
            state.withLock { s in s.podNode[key] = nil; s.nodes[node]?.remove(key) }
            await events.record(pod, type: "Warning", reason: "FailedScheduling", message: "Binding rejected: \(error)")
            queue.addRateLimited(key)
        }
    }

    func markUnschedulable(_ pod: JSON, key: String, message: String) async {
        state.withLock { _ = $0.unschedulable.insert(key) }
        let ns = pod[path: ["metadata", "namespace"]]?.string
        let name = pod[path: ["metadata", "name"]]?.string ?? ""
        let existing = (pod[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "PodScheduled" }
        if existing?["message"]?.string != message || existing?["status"]?.string != "False" {
            var conditions = (pod[path: ["status", "conditions"]]?.array ?? []).filter { $0["type"]?.string != "PodScheduled" }
            conditions.append(["type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
                               "lastProbeTime": nil, "lastTransitionTime": .string(Timestamp.now().rfc3339)])
            do {
                _ = try await client.mergePatch(Self.pods, namespace: ns, name: name, ["status": ["conditions": .array(conditions)]],
                                                subresource: "status")
                conditionFailures.forget(key)
            } catch let e as APIError where e.code == 404 {
                conditionFailures.forget(key) // deleted meanwhile: nothing to say
            } catch {
                // The event below still tells the pod's story; the pod is tried again when the cluster changes.
                if conditionFailures.failed(key, error) {
                    logger.warning("cannot set PodScheduled=False on \(key): \(error)", metadata: ["pod": "\(key)"])
                }
            }
        }
        await events.record(pod, type: "Warning", reason: "FailedScheduling", message: message)
    }

    func acquireBindSlot() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let go = state.withLock { s -> Bool in
                if s.bindsInFlight < maxBindsInFlight { s.bindsInFlight += 1; return true }
                s.bindWaiters.append(c)
                return false
            }
            if go { c.resume() }
        }
    }

    func releaseBindSlot() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if !s.bindWaiters.isEmpty { return s.bindWaiters.removeFirst() }
            s.bindsInFlight -= 1
            return nil
        }
        next?.resume()
    }
}
