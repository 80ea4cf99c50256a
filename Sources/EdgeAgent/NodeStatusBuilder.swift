import EdgeAPI
import EdgeBoards
import EdgeNet

/// Node status from NodeFacts, as a kubelet reports it: capacity, allocatable
/// (memory and disk less the eviction thresholds k3s uses), pressure and Ready
/// conditions, addresses and nodeInfo. Pure, so "has anything changed" is a
/// comparison that ignores heartbeat times.
public enum NodeStatusBuilder {
    public static let podsPerNode: Int64 = 110
    /// kubelet's hard eviction thresholds, which k3s keeps: memory.available < 100Mi,
    /// nodefs.available < 10%, imagefs.available < 15%; and pids in use > 90%.
    static let memoryReserve: Int64 = 100 << 20
    static let nodefsMinimumAvailablePercent: Int64 = 10
    static let imagefsMinimumAvailablePercent: Int64 = 15
    public static let kubeletVersion = "v1.37.0-edgectl"

    /// `agentPort`: where the agent API listens, published as daemonEndpoints.kubeletEndpoint.Port for the API server's proxy.
    /// `network`: the pod network's state (nil: none to report): Ready is False while it is not ready, with
    /// upstream's "container runtime network not ready" message, and NetworkUnavailable follows it.
    /// `board`: the node's board profile, whose reserved memory and eviction thresholds replace kubelet's defaults.
    public static func status(_ f: NodeFacts, runtimeVersion: String, now: Timestamp, previous: JSON?, agentPort: Int = 10250,
                              network: NetworkReadiness? = nil, board: BoardProfile? = nil, kubeletVersion: String = kubeletVersion) -> JSON {
        let capacity: JSON = ["cpu": .string(String(f.cpuCores)), "memory": .string("\(f.memoryBytes / 1024)Ki"),
                              "ephemeral-storage": .string("\(f.diskBytes / 1024)Ki"), "pods": .string(String(podsPerNode))]
        let memory = board?.allocatableMemory(capacity: f.memoryBytes) ?? max(0, f.memoryBytes - memoryReserve)
        let allocatable: JSON = ["cpu": .string(String(f.cpuCores)), "memory": .string("\(memory / 1024)Ki"),
                                 "ephemeral-storage": .string("\(f.diskBytes / 10 * 9 / 1024)Ki"), "pods": .string(String(podsPerNode))]
        let memoryPressure = f.memoryAvailableBytes < (board?.evictionMemoryAvailable ?? memoryReserve)
        // DiskPressure is either signal, as kubelet's eviction manager sets it. When the images share
        // the data dir's filesystem, imagefs is that filesystem and its 15% is the line that counts;
        // image GC's default high threshold (85% used) starts freeing space at the same point.
        let diskPressure = below(f.diskAvailableBytes, board?.evictionNodefsAvailablePercent ?? nodefsMinimumAvailablePercent, of: f.diskBytes)
            || below(f.imageFilesystemAvailableBytes, board?.evictionImagefsAvailablePercent ?? imagefsMinimumAvailablePercent,
                     of: f.imageFilesystemBytes)
        let pidPressure = f.pidsMax > 0 && f.pidsInUse > f.pidsMax / 10 * 9
        let old = previous?["conditions"]?.array ?? []
        func cond(_ type: String, _ on: Bool, _ reasonOn: String, _ reasonOff: String, _ msgOn: String, _ msgOff: String, trueIsGood: Bool = false) -> JSON {
            let value = on ? "True" : "False"
            let prior = old.first { $0["type"]?.string == type }
            let since = prior?["status"]?.string == value ? (prior?["lastTransitionTime"] ?? .string(now.rfc3339)) : .string(now.rfc3339)
            return ["type": .string(type), "status": .string(value), "reason": .string(on ? reasonOn : reasonOff),
                    "message": .string(on ? msgOn : msgOff), "lastHeartbeatTime": .string(now.rfc3339), "lastTransitionTime": since]
        }
        let networkReady = network?.ready ?? true
        let notReadyMessage = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:\(network?.message ?? "")"
        var conditions: [JSON] = []
        if let u = network?.unavailable {
            conditions.append(cond("NetworkUnavailable", u.status, u.reason, u.reason, u.message, u.message))
        } else if let kept = old.first(where: { $0["type"]?.string == "NetworkUnavailable" }) {
            // Set by someone else (a CNI such as Calico sets it): kept as is, as upstream's kubelet keeps it.
            conditions.append(kept)
        }
        conditions += [
            cond("MemoryPressure", memoryPressure, "KubeletHasInsufficientMemory", "KubeletHasSufficientMemory",
                 "kubelet has insufficient memory available", "kubelet has sufficient memory available"),
            cond("DiskPressure", diskPressure, "KubeletHasDiskPressure", "KubeletHasNoDiskPressure",
                 "kubelet has disk pressure", "kubelet has no disk pressure"),
            cond("PIDPressure", pidPressure, "KubeletHasInsufficientPID", "KubeletHasSufficientPID",
                 "kubelet has insufficient PID available", "kubelet has sufficient PID available"),
        ]
        if let health = f.board {
            let wasHot = old.contains { $0["type"]?.string == BoardCondition.thermalPressure && $0["status"]?.string == "True" }
            for b in BoardCondition.evaluate(health, profile: board, wasHot: wasHot) {
                conditions.append(cond(b.type, b.active, b.reason, b.reason, b.message, b.message))
            }
        }
        conditions.append(cond("Ready", networkReady, "KubeletReady", "KubeletNotReady", "kubelet is posting ready status", notReadyMessage))
        return ["capacity": capacity, "allocatable": allocatable, "conditions": .array(conditions),
                "addresses": [["type": "InternalIP", "address": .string(f.internalIP)], ["type": "Hostname", "address": .string(f.hostname)]],
                "daemonEndpoints": ["kubeletEndpoint": ["Port": .int(Int64(agentPort))]],
                "nodeInfo": ["machineID": .string(f.machineID), "systemUUID": .string(f.machineID), "bootID": .string(f.bootID),
                             "kernelVersion": .string(f.kernelVersion), "osImage": .string(f.osImage), "operatingSystem": "linux",
                             "architecture": .string(f.architecture), "kubeletVersion": .string(kubeletVersion), "kubeProxyVersion": "",
                             "containerRuntimeVersion": .string(runtimeVersion)]]
    }

    /// available < percent% of capacity; an unknown filesystem (capacity 0) never is.
    static func below(_ available: Int64, _ percent: Int64, of capacity: Int64) -> Bool {
        capacity > 0 && available * 100 < capacity * percent
    }

    /// The status without heartbeat times and condition messages: what decides whether a write is
    /// needed. A message carries figures (the SoC's temperature) that change with every look; they
    /// are published with the next write a change of state or the resync brings, not each time,
    /// to spare the SD card.
    public static func significant(_ status: JSON?) -> JSON {
        var s = status ?? [:]
        s["conditions"] = .array((s["conditions"]?.array ?? []).map { var c = $0; c["lastHeartbeatTime"] = nil; c["message"] = nil; return c })
        return s
    }
}
