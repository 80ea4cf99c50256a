import EdgeAPI

/// The pod status a sync reports: phase, conditions, container statuses and
/// QoS class, from what was observed. Pure, so the rules are tested alone.
enum PodStatusBuilder {
    struct Input {
        var pod: JSON
        var initContainers: [ContainerObservation]
        var containers: [ContainerObservation]
        var hostIP: String
        var podIP: String?
        var sandboxReady: Bool
        var now: Timestamp
    }

    static func phase(_ i: Input) -> String {
        let policy = i.pod[path: ["spec", "restartPolicy"]]?.string ?? "Always"
        for c in i.initContainers where !c.exitedOK {
            // An init container that failed and will not be retried fails the pod.
            if c.exitedFailed && policy == "Never" { return "Failed" }
            return "Pending"
        }
        // A container with no instance yet, or one whose start has not reported (no state, no exit), has not run: never a finished phase.
        if i.containers.contains(where: { !($0.current?.reported ?? false) }) { return "Pending" }
        if i.containers.contains(where: { $0.running }) { return "Running" }
        let failed = i.containers.contains { $0.exitedFailed }
        switch policy {
        case "Always": return "Running"
        case "OnFailure": return failed ? "Running" : "Succeeded"
        default: return failed ? "Failed" : "Succeeded"
        }
    }

    static func build(_ i: Input) -> JSON {
        let previous = i.pod["status"] ?? [:]
        let phase = phase(i)
        let initialized = i.initContainers.allSatisfy { $0.exitedOK }
        let unready = i.containers.filter { !$0.ready }.map { $0.name }
        let terminal = phase == "Succeeded" || phase == "Failed"
        var conditions: [JSON] = []
        func condition(_ type: String, _ ok: Bool, reason: String? = nil, message: String? = nil) {
            var c: JSON = ["type": .string(type), "status": ok ? "True" : "False"]
            if !ok, let reason { c["reason"] = .string(reason) }
            if !ok, let message { c["message"] = .string(message) }
            // Keep the transition time while the status stays what it was.
            let prior = (previous["conditions"]?.array ?? []).first { $0["type"]?.string == type }
            if let prior, prior["status"] == c["status"], let t = prior["lastTransitionTime"] { c["lastTransitionTime"] = t }
            else { c["lastTransitionTime"] = .string(i.now.rfc3339) }
            c["lastProbeTime"] = .null
            conditions.append(c)
        }
        condition("PodReadyToStartContainers", i.sandboxReady)
        let pendingInit = i.initContainers.filter { !$0.exitedOK }.map { $0.name }
        condition("Initialized", initialized, reason: "ContainersNotInitialized", message: "containers with incomplete status: [\(pendingInit.joined(separator: " "))]")
        let reason = terminal ? "PodCompleted" : "ContainersNotReady"
        let message = "containers with unready status: [\(unready.joined(separator: " "))]"
        condition("Ready", unready.isEmpty && !terminal, reason: reason, message: terminal ? nil : message)
        condition("ContainersReady", unready.isEmpty && !terminal, reason: reason, message: terminal ? nil : message)
        if let scheduled = (previous["conditions"]?.array ?? []).first(where: { $0["type"]?.string == "PodScheduled" }) {
            conditions.append(scheduled)
        } else {
            condition("PodScheduled", true)
        }
        var s: JSON = ["phase": .string(phase), "conditions": .array(conditions), "hostIP": .string(i.hostIP),
                       "hostIPs": [["ip": .string(i.hostIP)]],
                       "startTime": previous["startTime"] ?? .string(i.now.rfc3339),
                       "containerStatuses": .array(i.containers.map { $0.status }),
                       "qosClass": previous["qosClass"] ?? .string(qosClass(i.pod))]
        if !i.initContainers.isEmpty { s["initContainerStatuses"] = .array(i.initContainers.map { $0.status }) }
        if let ip = i.podIP { s["podIP"] = .string(ip); s["podIPs"] = [["ip": .string(ip)]] }
        return s
    }

    /// Guaranteed when every container limits cpu and memory with equal requests; BestEffort with no requests or limits at all.
    static func qosClass(_ pod: JSON) -> String {
        let all = (pod[path: ["spec", "containers"]]?.array ?? []) + (pod[path: ["spec", "initContainers"]]?.array ?? [])
        var any = false, guaranteed = true
        for c in all {
            let limits = c[path: ["resources", "limits"]]?.object ?? JSONObject()
            let requests = c[path: ["resources", "requests"]]?.object ?? JSONObject()
            if !limits.isEmpty || !requests.isEmpty { any = true }
            for r in ["cpu", "memory"] {
                guard let l = limits[r].flatMap(QuantityValue.milli) else { guaranteed = false; continue }
                if let q = requests[r].flatMap(QuantityValue.milli), q != l { guaranteed = false }
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable"
    }
}
