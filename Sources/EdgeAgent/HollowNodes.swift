import EdgeAPI
import EdgeClient
import Synchronization

/// Simulated nodes for scale tests: they register, renew their Leases and
/// report every pod bound to them as Running and Ready, without running any
/// container. One pod informer and one lease loop serve all of them, so a
/// thousand cost about as much as a few.
public final class HollowNodes: Sendable {
    static let nodes = BuiltinResources.nodes
    static let pods = BuiltinResources.pods
    static let leases = BuiltinResources.leases

    public struct Config: Sendable {
        public var count: Int
        public var namePrefix = "hollow-node-"
        public var firstIndex = 0
        public var cpu = "4"
        public var memory = "8Gi"
        public var pods: Int64 = 110
        public var labels: [String: String] = [:]
        /// Taints every node registers with (spec.taints entries: key, value, effect).
        public var taints: [JSON] = []
        public var leaseRenewInterval: Duration = .seconds(10)
        /// Parallel API calls when registering or renewing many nodes.
        public var concurrency = 16

        public init(count: Int) { self.count = count }
    }

    let client: APIClient
    let config: Config
    let names: [String]
    let nameSet: Set<String>
    let queue = WorkQueue(baseDelay: .milliseconds(100), maxDelay: .seconds(10))
    let podInformer: Informer
    let nodeInformer: Informer
    private let stopped = Mutex<Set<String>>([])

    /// Pods may ask a hollow node to simulate their container exiting: the exit
    /// code, after this many seconds of running (default 0). For Job tests.
    public static let exitCodeAnnotation = "hollow.edgectl.io/exit-code"
    public static let runSecondsAnnotation = "hollow.edgectl.io/run-seconds"

    public init(client: APIClient, config: Config) {
        self.client = client
        self.config = config
        names = (0..<config.count).map { "\(config.namePrefix)\(config.firstIndex + $0)" }
        nameSet = Set(names)
        podInformer = Informer(client: client, resource: Self.pods)
        nodeInformer = Informer(client: client, resource: Self.nodes)
    }

    /// Stops renewing one node's lease (tests: a node that went silent).
    public func stopHeartbeat(_ node: String) { stopped.withLock { _ = $0.insert(node) } }

    public func run() async throws {
        try await register()
        podInformer.addHandler(.any { [self] p in
            if let n = p[path: ["spec", "nodeName"]]?.string, nameSet.contains(n) { queue.add(Informer.key(p)) }
        })
        // A node marked Unknown while silent posts Ready again once it is heard from, as a kubelet would.
        nodeInformer.addHandler(.any { [self] n in
            guard let name = n[path: ["metadata", "name"]]?.string, nameSet.contains(name) else { return }
            let ready = (n[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "Ready" }
            if ready?["status"]?.string != "True" { queue.add("node:" + name) }
        })
        await withTaskGroup(of: Void.self) { g in
            g.addTask { await self.podInformer.run() }
            g.addTask { await self.nodeInformer.run() }
            g.addTask { await self.renewLeases() }
            for _ in 0..<config.concurrency { g.addTask { await self.podWorker() } }
            await withTaskCancellationHandler {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            } onCancel: { self.queue.shutDown() }
            g.cancelAll()
        }
    }

    func nodeObject(_ name: String, index: Int) -> JSON {
        var labels: JSONObject = JSONObject([("kubernetes.io/hostname", .string(name)), ("kubernetes.io/os", "linux"),
                                             ("kubernetes.io/arch", "amd64"), ("edgectl.io/hollow", "true")])
        for (k, v) in config.labels { labels[k] = .string(v) }
        let now = Timestamp.now().rfc3339
        func cond(_ type: String, _ status: String, _ reason: String, _ msg: String) -> JSON {
            ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(msg),
             "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)]
        }
        let resources: JSON = ["cpu": .string(config.cpu), "memory": .string(config.memory), "pods": .string(String(config.pods)),
                               "ephemeral-storage": "20Gi"]
        // Addresses come from 198.18.0.0/15 (reserved for benchmarks): never a real host.
        let addr = "198.18.\(index / 250).\(index % 250 + 1)"
        return ["apiVersion": "v1", "kind": "Node",
                "metadata": ["name": .string(name), "labels": .object(labels)],
                "spec": ["podCIDR": .string("10.42.\(index % 256).0/24"), "taints": .array(config.taints)],
                "status": ["capacity": resources, "allocatable": resources,
                           "conditions": [cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                                          cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                                          cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                                          cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")],
                           "addresses": [["type": "InternalIP", "address": .string(addr)], ["type": "Hostname", "address": .string(name)]],
                           "nodeInfo": ["kubeletVersion": "v1.37.0-edgectl-hollow", "containerRuntimeVersion": "hollow://0",
                                        "osImage": "hollow", "kernelVersion": "hollow", "operatingSystem": "linux", "architecture": "amd64",
                                        "machineID": "", "systemUUID": "", "bootID": "", "kubeProxyVersion": ""],
                           "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]]]]
    }

    func register() async throws {
        let indexed = Array(names.enumerated())
        try await forEachConcurrently(indexed) { i, name in
            let node = self.nodeObject(name, index: self.config.firstIndex + i)
            if let existing = try await self.client.getIfExists(Self.nodes, namespace: nil, name: name) {
                var n = existing
                n["status"] = node["status"]
                _ = try await self.client.updateStatus(Self.nodes, n)
            } else {
                _ = try await self.client.create(Self.nodes, namespace: nil, node)
            }
        }
    }

    func renewLeases() async {
        while !Task.isCancelled {
            let silent = stopped.withLock { $0 }
            try? await forEachConcurrently(names.filter { !silent.contains($0) }.map { ($0, $0) }) { _, name in
                try? await self.renew(name)
            }
            try? await Task.sleep(for: config.leaseRenewInterval)
        }
    }

    func renew(_ name: String) async throws {
        let now = Timestamp.now().rfc3339Micro
        if var lease = try await client.getIfExists(Self.leases, namespace: "kube-node-lease", name: name) {
            lease[path: ["spec", "renewTime"]] = .string(now)
            lease[path: ["spec", "holderIdentity"]] = .string(name)
            _ = try await client.update(Self.leases, lease)
        } else {
            _ = try await client.create(Self.leases, namespace: "kube-node-lease",
                                        ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                         "metadata": ["name": .string(name), "namespace": "kube-node-lease"],
                                         "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": 40, "renewTime": .string(now)]])
        }
    }

    func podWorker() async {
        while let key = await queue.get() {
            do {
                try await syncPod(key)
                queue.forget(key)
            } catch {
                queue.addRateLimited(key)
            }
            queue.done(key)
        }
    }

    /// What a kubelet would report, minus the containers: Running and Ready at
    /// once; deletion finishes immediately (there is nothing to stop).
    func syncPod(_ key: String) async throws {
        if key.hasPrefix("node:") { try await repostNodeStatus(String(key.dropFirst(5))); return }
        guard let pod = podInformer.get(key), let node = pod[path: ["spec", "nodeName"]]?.string, nameSet.contains(node) else { return }
        if stopped.withLock({ $0.contains(node) }) { return } // a silent node does nothing at all
        let ns = pod[path: ["metadata", "namespace"]]?.string
        let name = pod[path: ["metadata", "name"]]?.string ?? ""
        if pod[path: ["metadata", "deletionTimestamp"]] != nil {
            do {
                try await client.delete(Self.pods, namespace: ns, name: name, gracePeriodSeconds: 0,
                                        preconditionUID: pod[path: ["metadata", "uid"]]?.string)
            } catch let e as APIError where e.code == 404 || e.code == 409 {}
            return
        }
        let phase = pod[path: ["status", "phase"]]?.string
        if phase == "Succeeded" || phase == "Failed" { return }
        if phase == "Running" {
            try await maybeExit(pod)
            return
        }
        let now = Timestamp.now().rfc3339
        var status = pod["status"] ?? [:]
        let index = names.firstIndex(of: node) ?? 0
        status["phase"] = "Running"
        status["hostIP"] = .string("198.18.\((config.firstIndex + index) / 250).\((config.firstIndex + index) % 250 + 1)")
        status["podIP"] = .string("10.42.\((config.firstIndex + index) % 256).\(abs(name.hashValue) % 250 + 2)")
        status["startTime"] = .string(now)
        var conditions = (status["conditions"]?.array ?? []).filter { !["Initialized", "Ready", "ContainersReady"].contains($0["type"]?.string ?? "") }
        for t in ["Initialized", "Ready", "ContainersReady"] {
            conditions.append(["type": .string(t), "status": "True", "lastProbeTime": nil, "lastTransitionTime": .string(now)])
        }
        status["conditions"] = .array(conditions)
        status["containerStatuses"] = .array((pod[path: ["spec", "containers"]]?.array ?? []).map { c in
            ["name": c["name"] ?? "", "image": c["image"] ?? "", "imageID": "", "ready": true, "started": true, "restartCount": 0,
             "containerID": .string("hollow://\(name)/\(c["name"]?.string ?? "")"), "state": ["running": ["startedAt": .string(now)]]]
        })
        var updated = pod
        updated["status"] = status
        _ = try await client.updateStatus(Self.pods, updated)
        if let secs = pod[path: ["metadata", "annotations", Self.runSecondsAnnotation]]?.string.flatMap(Int.init),
           pod[path: ["metadata", "annotations", Self.exitCodeAnnotation]] != nil {
            queue.addAfter(key, .seconds(secs))
        } else if pod[path: ["metadata", "annotations", Self.exitCodeAnnotation]] != nil {
            queue.addAfter(key, .milliseconds(10))
        }
    }

    /// Simulates the containers exiting, as asked by the pod's annotations.
    func maybeExit(_ pod: JSON) async throws {
        guard let code = pod[path: ["metadata", "annotations", Self.exitCodeAnnotation]]?.string.flatMap(Int64.init) else { return }
        let runFor = Int64(pod[path: ["metadata", "annotations", Self.runSecondsAnnotation]]?.string ?? "0") ?? 0
        let started = pod[path: ["status", "startTime"]]?.string.flatMap(Timestamp.init(rfc3339:)) ?? Timestamp.now()
        let now = Timestamp.now()
        let ran = now.seconds.saturatingSubtracting(started.seconds)
        if ran < runFor {
            queue.addAfter(Informer.key(pod), .seconds(clamping: runFor.saturatingSubtracting(ran)))
            return
        }
        var status = pod["status"] ?? [:]
        status["phase"] = .string(code == 0 ? "Succeeded" : "Failed")
        status["conditions"] = .array((status["conditions"]?.array ?? []).map { c in
            guard ["Ready", "ContainersReady"].contains(c["type"]?.string ?? "") else { return c }
            var u = c
            u["status"] = "False"
            u["reason"] = "PodCompleted"
            u["lastTransitionTime"] = .string(now.rfc3339)
            return u
        })
        status["containerStatuses"] = .array((status["containerStatuses"]?.array ?? []).map { c in
            var u = c
            u["ready"] = false
            u["started"] = false
            u["state"] = ["terminated": ["exitCode": .int(code), "reason": .string(code == 0 ? "Completed" : "Error"),
                                         "startedAt": .string(started.rfc3339), "finishedAt": .string(now.rfc3339)]]
            return u
        })
        var updated = pod
        updated["status"] = status
        _ = try await client.updateStatus(Self.pods, updated)
    }

    func repostNodeStatus(_ name: String) async throws {
        if stopped.withLock({ $0.contains(name) }) { return }
        guard var node = nodeInformer.get(name), let index = names.firstIndex(of: name) else { return }
        node["status"] = nodeObject(name, index: config.firstIndex + index)["status"]
        _ = try await client.updateStatus(Self.nodes, node)
    }

    func forEachConcurrently<T: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { g in
            var it = items.makeIterator()
            for _ in 0..<config.concurrency {
                guard let x = it.next() else { break }
                g.addTask { try await body(x) }
            }
            while try await g.next() != nil {
                if let x = it.next() { g.addTask { try await body(x) } }
            }
        }
    }
}
