import EdgeAPI
import EdgeBoards
import EdgeClient
import EdgeNet

/// The node half of the agent: registers this machine's Node, renews its
/// Lease every 10 s, and writes node status only when something in it
/// changed or every 5 minutes, to spare the SD card and the API server.
public final class NodeAgent: Sendable {
    static let nodes = BuiltinResources.nodes
    static let leases = BuiltinResources.leases

    public struct Config: Sendable {
        public var nodeName: String
        public var labels: [String: String] = [:]
        public var taints: [JSON] = []
        public var runtimeVersion = "edgectl://0"
        /// The Lease's leaseDurationSeconds (kubelet's --node-lease-duration-seconds); renewed every quarter of it.
        public var leaseDurationSeconds: Int64 = 40
        public var leaseInterval: Duration = .seconds(10)
        public var statusCheckInterval: Duration = .seconds(10)
        public var statusResyncSeconds: Int64 = 300
        /// The agent API's port (logs, exec), published in the node status.
        public var agentAPIPort = 10250
        /// The node's images and the platforms they offer, published for the scheduler
        /// (NodeImagePlatforms); nil on nodes without an image store.
        public var imagePlatforms: (@Sendable () -> [String: [ImagePlatform]])?
        /// The board this node runs on: its reserved memory, eviction and thermal limits shape the status.
        public var board: BoardProfile?
        /// Reported as nodeInfo.kubeletVersion: the Kubernetes level and this build (v1.37.0+edgectl-0.1.0).
        public var kubeletVersion = NodeStatusBuilder.kubeletVersion
        /// Where the agent says why registration or a status write fails (once per distinct reason).
        public var report: @Sendable (String) -> Void = { _ in }
        public init(nodeName: String) { self.nodeName = nodeName }
    }

    let client: APIClient
    let config: Config
    let facts: any NodeFactsSource
    /// The pod network's state for the Ready and NetworkUnavailable conditions (nil: not reported).
    let network: (@Sendable () -> NetworkReadiness)?
    let statusWakeup = Wakeup()

    public init(client: APIClient, config: Config, facts: any NodeFactsSource, network: (@Sendable () -> NetworkReadiness)? = nil) {
        self.client = client
        self.config = config
        self.facts = facts
        self.network = network
    }

    /// Asks for the status to be looked at now (the pod network came up or went down) instead of at the next check.
    public func statusMayHaveChanged() { statusWakeup.signal() }

    /// Registers, then keeps the lease and status current until cancelled.
    /// Failures are retried: the agent outlives a restarting server.
    public func run() async {
        var lastWrite: Int64 = 0
        var lastFailure = ""
        while !Task.isCancelled {
            do {
                try await register()
                lastWrite = Timestamp.now().seconds
                break
            } catch {
                // Said once, not every 2 s: a server refusing this node (version skew, say) must be visible.
                let why = "\(error)"
                if why != lastFailure { config.report("cannot register node \(config.nodeName) (retrying every 2s): \(why)") }
                lastFailure = why
                try? await Task.sleep(for: .seconds(2))
            }
        }
        let registeredAt = lastWrite
        // A node that cannot renew its lease goes NotReady on the server: say why here,
        // once per streak of the same failure (the lease is retried every interval).
        let streaks = FailureStreaks()
        await withTaskGroup(of: Void.self) { g in
            g.addTask {
                while !Task.isCancelled {
                    do {
                        try await self.renewLease()
                        self.reportRecovery(streaks, "lease", "renewing the node's lease")
                    } catch {
                        if !Task.isCancelled && streaks.failed("lease", error) {
                            self.config.report("cannot renew the lease of node \(self.config.nodeName) (retrying every \(self.config.leaseInterval)): \(error)")
                        }
                    }
                    try? await Task.sleep(for: self.config.leaseInterval)
                }
            }
            g.addTask {
                var last = registeredAt
                while !Task.isCancelled {
                    await self.statusWakeup.wait(timeout: self.config.statusCheckInterval)
                    do {
                        if try await self.updateStatusIfNeeded(lastWrite: last) { last = Timestamp.now().seconds }
                        self.reportRecovery(streaks, "status", "writing the node's status")
                    } catch {
                        if !Task.isCancelled && streaks.failed("status", error) {
                            self.config.report("cannot write the status of node \(self.config.nodeName) (retrying): \(error)")
                        }
                    }
                }
            }
        }
    }

    /// Says once that `what` works again after the failures `streaks` logged for `key`.
    func reportRecovery(_ streaks: FailureStreaks, _ key: String, _ what: String) {
        if let failures = streaks.succeeded(key) {
            config.report("\(what) works again after \(failures) failed attempt\(failures == 1 ? "" : "s")")
        }
    }

    func nodeObject(_ status: JSON) throws -> JSON {
        var labels = JSONObject([("kubernetes.io/hostname", .string(config.nodeName)), ("kubernetes.io/os", "linux")])
        if let arch = status[path: ["nodeInfo", "architecture"]]?.string {
            labels["kubernetes.io/arch"] = .string(arch)
            // 32-bit ARM comes in variants (v6, v7) that run different images.
            if arch == "arm", let variant = ImagePlatform.host.variant { labels[ImagePlatform.variantLabel] = .string(variant) }
        }
        for (k, v) in config.labels { labels[k] = .string(v) }
        var spec: JSON = [:]
        if !config.taints.isEmpty { spec["taints"] = .array(config.taints) }
        var metadata: JSON = ["name": .string(config.nodeName), "labels": .object(labels)]
        if let platforms = imagePlatformsAnnotation() { metadata["annotations"] = [NodeImagePlatforms.annotation: .string(platforms)] }
        return ["apiVersion": "v1", "kind": "Node", "metadata": metadata, "spec": spec, "status": status]
    }

    func register() async throws {
        let status = NodeStatusBuilder.status(try facts.gather(), runtimeVersion: config.runtimeVersion, now: .now(), previous: nil,
                                              agentPort: config.agentAPIPort, network: network?(),
                                              board: config.board, kubeletVersion: config.kubeletVersion)
        if var existing = try await client.getIfExists(Self.nodes, namespace: nil, name: config.nodeName) {
            // As kubelet's updateDefaultLabels: a restarted agent (a new binary, a board moved to
            // another card) brings its node's labels up to date before reporting.
            let wanted = try nodeObject(status)[path: ["metadata", "labels"]]?.object ?? JSONObject()
            var labels = existing[path: ["metadata", "labels"]]?.object ?? JSONObject()
            var changed = false
            for (k, v) in wanted where labels[k] != v {
                labels[k] = v
                changed = true
            }
            if changed {
                existing[path: ["metadata", "labels"]] = .object(labels)
                existing = try await client.update(Self.nodes, existing)
            }
            existing["status"] = NodeStatusBuilder.status(try facts.gather(), runtimeVersion: config.runtimeVersion, now: .now(),
                                                          previous: existing["status"], agentPort: config.agentAPIPort, network: network?(),
                                              board: config.board, kubeletVersion: config.kubeletVersion)
            _ = try await client.updateStatus(Self.nodes, existing)
        } else {
            _ = try await client.create(Self.nodes, namespace: nil, try nodeObject(status))
        }
    }

    /// Writes status when it changed (ignoring heartbeats) or the resync period passed; true if it wrote.
    func updateStatusIfNeeded(lastWrite: Int64) async throws -> Bool {
        guard var node = try await client.getIfExists(Self.nodes, namespace: nil, name: config.nodeName) else {
            try await register() // deleted under us: come back, as a kubelet does
            return true
        }
        let now = Timestamp.now()
        let status = NodeStatusBuilder.status(try facts.gather(), runtimeVersion: config.runtimeVersion, now: now, previous: node["status"],
                                                agentPort: config.agentAPIPort, network: network?(),
                                              board: config.board, kubeletVersion: config.kubeletVersion)
        try await publishImagePlatforms(node)
        let changed = NodeStatusBuilder.significant(status) != NodeStatusBuilder.significant(node["status"])
        guard changed || now.seconds - lastWrite >= config.statusResyncSeconds else { return false }
        node["status"] = status
        _ = try await client.updateStatus(Self.nodes, node)
        return true
    }

    /// Patches the node's image-platforms annotation when the store holds something else
    /// than it says (an import, a pull, an image collected).
    func publishImagePlatforms(_ node: JSON) async throws {
        guard let current = imagePlatformsAnnotation() else { return }
        guard node[path: ["metadata", "annotations", NodeImagePlatforms.annotation]]?.string != current else { return }
        _ = try await client.mergePatch(Self.nodes, namespace: nil, name: config.nodeName,
                                        ["metadata": ["annotations": [NodeImagePlatforms.annotation: .string(current)]]])
    }

    func imagePlatformsAnnotation() -> String? {
        config.imagePlatforms.map { NodeImagePlatforms.encode($0()) }
    }

    func renewLease() async throws {
        let now = Timestamp.now().rfc3339Micro
        if var lease = try await client.getIfExists(Self.leases, namespace: "kube-node-lease", name: config.nodeName) {
            lease[path: ["spec", "renewTime"]] = .string(now)
            lease[path: ["spec", "holderIdentity"]] = .string(config.nodeName)
            lease[path: ["spec", "leaseDurationSeconds"]] = .int(config.leaseDurationSeconds)
            _ = try await client.update(Self.leases, lease)
            return
        }
        var meta: JSON = ["name": .string(config.nodeName), "namespace": "kube-node-lease"]
        if let node = try await client.getIfExists(Self.nodes, namespace: nil, name: config.nodeName) {
            // Owned by the Node, so deleting the node removes its lease too.
            meta["ownerReferences"] = [["apiVersion": "v1", "kind": "Node", "name": .string(config.nodeName), "uid": node[path: ["metadata", "uid"]] ?? ""]]
        }
        _ = try await client.create(Self.leases, namespace: "kube-node-lease",
                                    ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
                                     "spec": ["holderIdentity": .string(config.nodeName), "leaseDurationSeconds": .int(config.leaseDurationSeconds), "renewTime": .string(now)]])
    }
}
